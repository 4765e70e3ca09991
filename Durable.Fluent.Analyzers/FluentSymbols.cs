using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Durable.Fluent.Analyzers;

/// <summary>The Durable.Fluent types the analyzers bind to, resolved once per compilation.</summary>
internal sealed class FluentSymbols
{
    private FluentSymbols(Compilation compilation, INamedTypeSymbol builder, INamedTypeSymbol workflow)
    {
        Builder = builder;
        Workflow = workflow;
        WorkflowStatic = compilation.GetTypeByMetadataName("Durable.Fluent.Workflow");
        BatchResult = compilation.GetTypeByMetadataName("Durable.Fluent.BatchResult`1");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
    }

    public INamedTypeSymbol Builder { get; }

    public INamedTypeSymbol Workflow { get; }

    public INamedTypeSymbol? WorkflowStatic { get; }

    public INamedTypeSymbol? BatchResult { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? ValueTaskOfT { get; }

    /// <summary>Null when the compilation does not reference Durable.Fluent (then the analyzers do nothing).</summary>
    public static FluentSymbols? From(Compilation compilation)
    {
        var builder = compilation.GetTypeByMetadataName("Durable.Fluent.WorkflowBuilder`2");
        var workflow = compilation.GetTypeByMetadataName("Durable.Fluent.Workflow`2");
        return builder is null || workflow is null ? null : new FluentSymbols(compilation, builder, workflow);
    }

    /// <summary>Whether <paramref name="method"/> is declared by a Durable.Fluent type (builders, configurators, names, strategies).</summary>
    public static bool IsFluentMethod(IMethodSymbol method)
        => method.ContainingNamespace is { Name: "Fluent", ContainingNamespace: { Name: "Durable", ContainingNamespace.IsGlobalNamespace: true } }
            || method.ContainingNamespace is { Name: "Retries", ContainingNamespace: { Name: "Fluent", ContainingNamespace: { Name: "Durable", ContainingNamespace.IsGlobalNamespace: true } } };

    public bool IsBuilder(ITypeSymbol? type) => type is INamedTypeSymbol n && SymbolEqualityComparer.Default.Equals(n.OriginalDefinition, Builder);

    public bool IsWorkflow(ITypeSymbol? type) => type is INamedTypeSymbol n && SymbolEqualityComparer.Default.Equals(n.OriginalDefinition, Workflow);

    /// <summary>The current-value type of a builder (its second type argument).</summary>
    public static ITypeSymbol? CurrentValue(ITypeSymbol? builder) => builder is INamedTypeSymbol { TypeArguments.Length: 2 } n ? n.TypeArguments[1] : null;

    /// <summary>Whether the type is a task (Task, Task&lt;T&gt;, ValueTask, ValueTask&lt;T&gt;), also as the item of a BatchResult.</summary>
    public bool IsTaskLike(ITypeSymbol? type)
    {
        if (type is null || type.TypeKind == TypeKind.Error)
        {
            return false;
        }

        if (type is INamedTypeSymbol { IsGenericType: true } batch && BatchResult is not null && SymbolEqualityComparer.Default.Equals(batch.OriginalDefinition, BatchResult))
        {
            return IsTaskLike(batch.TypeArguments[0]);
        }

        for (var t = type; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, Task) || SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, ValueTask) || SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, ValueTaskOfT))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The argument bound to the parameter named <paramref name="name"/>, if any (explicit, not a default value).</summary>
    public static IArgumentOperation? Argument(IInvocationOperation invocation, string name)
    {
        foreach (var a in invocation.Arguments)
        {
            if (a.Parameter?.Name == name && a.ArgumentKind != ArgumentKind.DefaultValue)
            {
                return a;
            }
        }

        return null;
    }

    /// <summary>The lambda passed as <paramref name="argument"/>, looking through the delegate creation and conversions.</summary>
    public static IAnonymousFunctionOperation? Lambda(IOperation? argument)
    {
        var op = argument is IArgumentOperation a ? a.Value : argument;
        while (op is IConversionOperation c)
        {
            op = c.Operand;
        }

        if (op is IDelegateCreationOperation d)
        {
            op = d.Target;
        }

        return op as IAnonymousFunctionOperation;
    }

    /// <summary>The constant string passed to an <c>OperationName</c> parameter (through its implicit conversion), or null.</summary>
    public static string? ConstantName(IArgumentOperation? argument)
    {
        var op = argument?.Value;
        while (op is IConversionOperation c)
        {
            op = c.Operand;
        }

        return op is { ConstantValue: { HasValue: true, Value: string s } } ? s : null;
    }

    public static readonly ImmutableHashSet<string> NamedNodeMethods = ImmutableHashSet.Create(
        "Then", "Wait", "Child", "WaitForCallback", "Callback", "WaitForCondition", "Invoke", "Parallel", "Map", "CompensateWith", "Step");
}
