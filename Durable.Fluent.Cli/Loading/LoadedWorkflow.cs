using Durable.Fluent.LocalService;
using Durable.Fluent.Testing;

namespace Durable.Fluent.Cli.Loading;

/// <summary>A built workflow whose input and result types are known only at run time: what the commands do with it.</summary>
internal abstract class LoadedWorkflow
{
    protected LoadedWorkflow(string name) => Name = name;

    /// <summary>Where it came from (<c>Namespace.Type.Member</c>).</summary>
    public string Name { get; }

    public abstract string ToMermaid();

    public abstract string Describe();

    public abstract void Register(LocalDurableService service, string functionName);

    public abstract Task<ReplayCheckResult> ReplayAsync(string historyJson, CancellationToken cancellationToken);

    public static LoadedWorkflow Create(object workflow, string name)
    {
        var type = typeof(Typed<,>).MakeGenericType(workflow.GetType().GetGenericArguments());
        return (LoadedWorkflow)Activator.CreateInstance(type, workflow, name)!;
    }

    private sealed class Typed<TIn, TOut>(Workflow<TIn, TOut> workflow, string name) : LoadedWorkflow(name)
    {
        public override string ToMermaid() => workflow.ToMermaid();

        public override string Describe() => workflow.Describe();

        public override void Register(LocalDurableService service, string functionName) => service.Register(functionName, workflow);

        public override Task<ReplayCheckResult> ReplayAsync(string historyJson, CancellationToken cancellationToken)
            => HistoryReplayer.CheckAsync(workflow, historyJson, cancellationToken);
    }
}
