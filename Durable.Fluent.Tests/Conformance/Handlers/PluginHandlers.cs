using System.Globalization;
using System.Text.Json.Nodes;
using Durable.Fluent.Plugins;
using Durable.Fluent.Retries;
using Durable.Fluent.Testing;
using Durable.Fluent.Tests.Conformance.Harness;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Tests.Conformance.Handlers;

/// <summary>
/// Handlers of the `plugin` group (10-x). Each builds its workflow with an instrumentation plugin that prints JSON records
/// to "stdout" (the runner's structured capture), stamped with the execution ARN it receives at invocation start.
/// </summary>
internal static class PluginHandlers
{
    private static readonly RetryStrategyConfig OneSecondRetries = RetryPresets.Fixed(TimeSpan.FromSeconds(1));

    private static Workflow<string, string> Greeting(params IDurablePlugin[] plugins) =>
        Workflow.For<string>()
            .Then("greet", (name, ctx) =>
            {
                ctx.Logger.LogInformation("Greeting step running for: {Name}", name);
                return $"Hello, {name}!";
            })
            .Build(new WorkflowOptions { Plugins = plugins });

    private static ConformanceCase With<TIn, TOut>(Workflow<TIn, TOut> workflow, params RecordingPlugin[] plugins)
        => ConformanceCase.Of(workflow).WithSetup(r =>
        {
            foreach (var p in plugins)
            {
                p.Attach(r.Logs);
            }
        });

    [Requirement("10-1")]
    public static ConformanceCase InvocationHooks()
    {
        var plugin = new InvocationPlugin("CONFPLUGIN", withFirstOnEnd: false);
        return With(Greeting(plugin), plugin);
    }

    [Requirement("10-2")]
    public static ConformanceCase OperationHooksCarryTheId()
    {
        var plugin = new LambdaPlugin("CONFPLUGIN", OperationType.Step)
        {
            Start = i => new() { ["hook"] = "operation-start", ["op"] = i.Id },
            End = i => new() { ["hook"] = "operation-end", ["op"] = i.Id, ["status"] = Token(i.Status) },
        };
        return With(Greeting(plugin), plugin);
    }

    [Requirement("10-3")]
    public static ConformanceCase AttemptHooksUnderRetry()
    {
        var plugin = AttemptPlugin();
        var wf = Workflow.For<JsonNode?>()
            .Then("flaky", (_, ctx) => ctx.Attempt == 1 ? throw new InvalidOperationException("first attempt fails") : "Operation succeeded",
                s => s.Retry(OneSecondRetries with { MaxAttempts = 3 }))
            .Build(new WorkflowOptions { Plugins = [plugin] });
        return With(wf, plugin);
    }

    [Requirement("10-4")]
    public static ConformanceCase EveryHookThrows()
    {
        var faulty = new FaultyPlugin();
        return With(Greeting(faulty), faulty);
    }

    [Requirement("10-6")]
    public static ConformanceCase FirstInvocationFlag()
    {
        var plugin = new InvocationPlugin("CONFPLUGIN", withFirstOnEnd: false);
        return With(TwoSecondWait(plugin), plugin);
    }

    [Requirement("10-7")]
    public static ConformanceCase InvocationEndReportsFailed()
    {
        var plugin = new InvocationPlugin("CONFPLUGIN", withFirstOnEnd: false);
        var wf = Workflow.For<JsonNode?>()
            .Then("always_fails", string (_, _) => throw new InvalidOperationException("always fails"), s => s.Retry(RetryPresets.None))
            .Build(new WorkflowOptions { Plugins = [plugin] });
        return With(wf, plugin);
    }

    [Requirement("10-8")]
    public static ConformanceCase OperationChangeHook()
    {
        var plugin = new LambdaPlugin("CONFPLUGIN", OperationType.Step)
        {
            Change = c => c.UpdatedOperations.Values.Where(o => o.Type == OperationType.Step).Select(o => new Dictionary<string, object?>
            {
                ["hook"] = "operation-change",
                ["op"] = o.Id,
                ["status"] = Token(o.Status),
                ["in_full_map"] = c.Operations.ContainsKey(o.Id),
            }),
        };
        return With(Greeting(plugin), plugin);
    }

    [Requirement("10-9")]
    public static ConformanceCase WaitUpdatedExternally()
    {
        var plugin = new LambdaPlugin("CONFPLUGIN", OperationType.Wait)
        {
            InvocationStartMany = i => i.UpdatedOperations.Values.Where(o => o.Type == OperationType.Wait).Select(o => new Dictionary<string, object?>
            {
                ["hook"] = "updated-on-invoke",
                ["op"] = o.Id,
                ["status"] = Token(o.Status),
                ["first"] = i.IsFirstInvocation,
            }),
        };
        return With(TwoSecondWait(plugin), plugin);
    }

    [Requirement("10-11")]
    public static ConformanceCase OperationEndCarriesTheParent()
    {
        var plugin = new LambdaPlugin("CONFPLUGIN", null)
        {
            End = i => new() { ["hook"] = "operation-end", ["op"] = i.Id, ["parent"] = i.ParentId ?? "NONE", ["status"] = Token(i.Status) },
        };
        var wf = Workflow.For<string>()
            .Child("greeting-child", c => c.Then("greet", (name, _) => $"Hello, {name}!"))
            .Build(new WorkflowOptions { Plugins = [plugin] });
        return With(wf, plugin);
    }

    [Requirement("10-13")]
    public static ConformanceCase ReplayFlagOnlyForUnfinishedOperations()
    {
        var plugin = new LambdaPlugin("CONFPLUGIN", OperationType.Step)
        {
            Start = i => new() { ["hook"] = "operation-start", ["op"] = i.Id, ["replay"] = i.IsReplay },
            End = i => new() { ["hook"] = "operation-end", ["op"] = i.Id, ["status"] = Token(i.Status) },
        };
        var wf = Workflow.For<JsonNode?>()
            .Then("step_a", (_, _) => "a")
            .Then("step_b", (_, ctx) => ctx.Attempt == 1 ? throw new InvalidOperationException("first attempt fails") : "Operation succeeded",
                s => s.Retry(OneSecondRetries with { MaxAttempts = 3 }))
            .Build(new WorkflowOptions { Plugins = [plugin] });
        return With(wf, plugin);
    }

    [Requirement("10-14")]
    public static ConformanceCase OperationEndCarriesResultOrError()
    {
        var plugin = new LambdaPlugin("CONFPLUGIN", OperationType.Step)
        {
            End = i => new()
            {
                ["hook"] = "operation-end",
                ["op"] = i.Id,
                ["status"] = Token(i.Status),
                ["result"] = i.Result ?? "NONE",
                ["error"] = i.Error?.ErrorMessage ?? "NONE",
            },
        };
        var wf = Workflow.For<JsonNode?>()
            .Then("step_a", (_, _) => "task-a")
            .Then("step_b", string (_, _) => throw new InvalidOperationException("boom"), s => s.Retry(RetryPresets.None))
            .Build(new WorkflowOptions { Plugins = [plugin] });
        return With(wf, plugin);
    }

    [Requirement("10-15")]
    public static ConformanceCase AttemptHooksUntilExhaustion()
    {
        var plugin = AttemptPlugin();
        plugin.End = i => new() { ["hook"] = "operation-end", ["op"] = i.Id, ["status"] = Token(i.Status) };
        var wf = Workflow.For<JsonNode?>()
            .Then("always_fails", string (_, _) => throw new InvalidOperationException("always fails"), s => s.Retry(OneSecondRetries with { MaxAttempts = 2 }))
            .Build(new WorkflowOptions { Plugins = [plugin] });
        return With(wf, plugin);
    }

    [Requirement("10-16")]
    public static ConformanceCase InvocationEndPerInvocation()
    {
        var plugin = new InvocationPlugin("CONFPLUGIN", withFirstOnEnd: true);
        return With(TwoSecondWait(plugin), plugin);
    }

    [Requirement("10-17")]
    public static ConformanceCase FaultyPluginDoesNotBlockAHealthyOne()
    {
        var faulty = new FaultyPlugin();
        var healthy = new LambdaPlugin("CONFPLUGIN-HEALTHY", OperationType.Step)
        {
            InvocationStart = i => new() { ["hook"] = "invocation-start", ["first"] = i.IsFirstInvocation },
            InvocationEnd = i => new() { ["hook"] = "invocation-end", ["status"] = Token(i.Status) },
            Start = i => new() { ["hook"] = "operation-start", ["op"] = i.Id },
            End = i => new() { ["hook"] = "operation-end", ["op"] = i.Id, ["status"] = Token(i.Status) },
            AttemptStartRecord = a => new() { ["hook"] = "attempt-start", ["op"] = a.Id },
            AttemptEndRecord = a => new() { ["hook"] = "attempt-end", ["op"] = a.Id, ["outcome"] = Token(a.Outcome) },
        };
        return With(Greeting(faulty, healthy), faulty, healthy);
    }

    [Requirement("10-18")]
    public static ConformanceCase PendingWaitReobservedOnReplay()
    {
        var plugin = new LambdaPlugin("CONFPLUGIN", OperationType.Wait)
        {
            Start = i => new() { ["hook"] = "operation-start", ["type"] = "WAIT", ["name"] = i.Name, ["replay"] = i.IsReplay, ["pending"] = i.IsPending },
            End = i => new() { ["hook"] = "operation-end", ["type"] = "WAIT", ["name"] = i.Name, ["status"] = Token(i.Status) },
        };
        var wf = Workflow.For<JsonNode?>()
            .Parallel("waits", p => p
                .Branch(b => b.Wait("short", TimeSpan.FromSeconds(2)).Select(_ => "short-done"))
                .Branch(b => b.Wait("long", TimeSpan.FromSeconds(8)).Select(_ => "long-done")),
                c => c.MaxConcurrency(2))
            .Select(r => new[] { r.Values.Item1, r.Values.Item2 })
            .Build(new WorkflowOptions { Plugins = [plugin] });
        return With(wf, plugin);
    }

    [Requirement("10-19")]
    public static ConformanceCase InvocationInfoFieldSet()
    {
        var plugin = new LambdaPlugin("CONFPLUGIN", null)
        {
            InvocationStart = i => new()
            {
                ["hook"] = "invocation-start",
                ["isFirstInvocation"] = i.IsFirstInvocation,
                ["requestId"] = i.RequestId,
                ["operationsCount"] = i.Operations.Count,
                ["updatedOperationsCount"] = i.UpdatedOperations.Count,
                ["executionStartTimestamp"] = Iso(i.ExecutionStartTimestamp),
            },
            InvocationEnd = i =>
            {
                var record = new Dictionary<string, object?>
                {
                    ["hook"] = "invocation-end",
                    ["isFirstInvocation"] = i.IsFirstInvocation,
                    ["requestId"] = i.RequestId,
                    ["operationsCount"] = i.Operations.Count,
                    ["executionStartTimestamp"] = Iso(i.ExecutionStartTimestamp),
                    ["status"] = Token(i.Status),
                    ["terminal"] = i.IsTerminal,
                };
                if (i.ExecutionError is { } error)
                {
                    record["executionError"] = error.ErrorMessage;
                }

                return record;
            },
        };
        var wf = Workflow.For<string>()
            .Wait(TimeSpan.FromSeconds(2))
            .Select(s => $"done-{s}")
            .Build(new WorkflowOptions { Plugins = [plugin] });
        return With(wf, plugin);
    }

    [Requirement("10-20")]
    public static ConformanceCase OperationInfoFieldSet()
    {
        var plugin = new LambdaPlugin("CONFPLUGIN", OperationType.Step)
        {
            Start = i => Dump("operation-start", i),
            End = i => Dump("operation-end", i),
        };
        var wf = Workflow.For<JsonNode?>().Then("greet", (_, _) => "task-a").Build(new WorkflowOptions { Plugins = [plugin] });
        return With(wf, plugin);
    }

    [Requirement("10-22")]
    public static ConformanceCase OperationChangeItemFieldSet()
    {
        var plugin = new LambdaPlugin("CONFPLUGIN", OperationType.Step)
        {
            Change = c => c.UpdatedOperations.Values.Where(o => o.Type == OperationType.Step).Select(o =>
            {
                var record = Dump("operation-change", OperationInfoFrom(o));
                record["executionArn"] = c.DurableExecutionArn;
                record["updatedOperationsCount"] = c.UpdatedOperations.Count;
                record["operationsCount"] = c.Operations.Count;
                record["inFullMap"] = c.Operations.ContainsKey(o.Id);
                return record;
            }),
        };
        var wf = Workflow.For<JsonNode?>().Then("greet", (_, _) => "task-a").Build(new WorkflowOptions { Plugins = [plugin] });
        return With(wf, plugin);
    }

    [Requirement("10-23")]
    public static ConformanceCase ContextTokensAndChildrenReplay()
    {
        var plugin = new LambdaPlugin("CONFPLUGIN", OperationType.Context)
        {
            Start = i => Dump("operation-start", i),
            AttemptStartRecord = a => new()
            {
                ["hook"] = "fn-start",
                ["id"] = a.Id,
                ["name"] = a.Name,
                ["type"] = Token(a.Type),
                ["subType"] = a.SubType,
                ["parentId"] = a.ParentId,
                ["isReplayingChildren"] = a.IsReplayingChildren,
            },
        };
        var wf = Workflow.For<JsonNode?>()
            .Parallel("ctx", p => p
                .Branch("branch-a", b => b.Then("inner", (_, _) => "x").Wait(TimeSpan.FromSeconds(2)).Select(_ => "a-done"))
                .Branch("branch-b", b => b.Select(_ => "b-done")),
                c => c.MaxConcurrency(1))
            .Select(r => new[] { r.Values.Item1, r.Values.Item2 })
            .Build(new WorkflowOptions { Plugins = [plugin] });
        return With(wf, plugin);
    }

    private static Workflow<JsonNode?, string> TwoSecondWait(IDurablePlugin plugin) =>
        Workflow.For<JsonNode?>().Wait(TimeSpan.FromSeconds(2)).Select(_ => "done").Build(new WorkflowOptions { Plugins = [plugin] });

    private static LambdaPlugin AttemptPlugin() => new("CONFPLUGIN", OperationType.Step)
    {
        AttemptStartRecord = a => new() { ["hook"] = "attempt-start", ["n"] = a.Attempt, ["op"] = a.Id },
        AttemptEndRecord = a => new() { ["hook"] = "attempt-end", ["n"] = a.Attempt, ["outcome"] = Token(a.Outcome), ["op"] = a.Id },
    };

    private static OperationInfo OperationInfoFrom(Operation o) => new()
    {
        Id = o.Id,
        Name = o.Name,
        Type = o.Type,
        SubType = o.SubType,
        ParentId = o.ParentId,
        Status = o.Status,
        StartTimestamp = o.StartTimestamp,
        EndTimestamp = o.EndTimestamp,
        Error = o.StepDetails?.Error,
        Attempt = o.StepDetails?.Attempt,
        IsReplay = false,
    };

    /// <summary>The canonical camelCase dump of an operation info; unset fields are omitted.</summary>
    private static Dictionary<string, object?> Dump(string hook, OperationInfo i)
    {
        var d = new Dictionary<string, object?> { ["hook"] = hook, ["id"] = i.Id, ["type"] = Token(i.Type), ["isReplay"] = i.IsReplay };
        void Add(string key, object? value)
        {
            if (value is not null)
            {
                d[key] = value;
            }
        }

        Add("name", i.Name);
        Add("subType", i.SubType);
        Add("parentId", i.ParentId);
        Add("status", i.Status is null ? null : Token(i.Status));
        Add("startTimestamp", Iso(i.StartTimestamp));
        Add("endTimestamp", Iso(i.EndTimestamp));
        Add("error", i.Error?.ErrorMessage);
        Add("attempt", i.Attempt);
        return d;
    }

    private static string? Iso(DateTimeOffset? t) => t?.ToString("O", CultureInfo.InvariantCulture);

    private static string? Token<T>(T? value)
        where T : struct, Enum
        => value is null ? null : UpperSnakeEnumConverter<T>.ToToken(value.Value);

    private static string Token<T>(T value)
        where T : struct, Enum
        => UpperSnakeEnumConverter<T>.ToToken(value);

    /// <summary>A plugin that prints records stamped with its name and the execution ARN seen at invocation start.</summary>
    internal abstract class RecordingPlugin(string name) : DurablePlugin
    {
        private CapturingLoggerProvider? _sink;
        private string? _arn;

        public void Attach(CapturingLoggerProvider sink) => _sink = sink;

        public override void OnInvocationStart(InvocationStartInfo info) => _arn = info.DurableExecutionArn;

        protected void Emit(Dictionary<string, object?>? record)
        {
            if (record is null || _sink is null)
            {
                return;
            }

            var fields = new Dictionary<string, object?>(record) { ["plugin"] = name, ["durableExecutionArn"] = _arn };
            _sink.WriteRecord(fields);
        }
    }

    /// <summary>A plugin whose records are described by optional functions; operation and attempt hooks filter by type.</summary>
    internal sealed class LambdaPlugin(string name, OperationType? filter) : RecordingPlugin(name)
    {
        public Func<InvocationStartInfo, Dictionary<string, object?>>? InvocationStart { get; init; }

        public Func<InvocationStartInfo, IEnumerable<Dictionary<string, object?>>>? InvocationStartMany { get; init; }

        public Func<InvocationEndInfo, Dictionary<string, object?>>? InvocationEnd { get; init; }

        public Func<OperationInfo, Dictionary<string, object?>>? Start { get; init; }

        public Func<OperationInfo, Dictionary<string, object?>>? End { get; set; }

        public Func<AttemptInfo, Dictionary<string, object?>>? AttemptStartRecord { get; init; }

        public Func<AttemptInfo, Dictionary<string, object?>>? AttemptEndRecord { get; init; }

        public Func<OperationChangeInfo, IEnumerable<Dictionary<string, object?>>>? Change { get; init; }

        public override void OnInvocationStart(InvocationStartInfo info)
        {
            base.OnInvocationStart(info);
            Emit(InvocationStart?.Invoke(info));
            foreach (var r in InvocationStartMany?.Invoke(info) ?? [])
            {
                Emit(r);
            }
        }

        public override void OnInvocationEnd(InvocationEndInfo info) => Emit(InvocationEnd?.Invoke(info));

        public override void OnOperationStart(OperationInfo info)
        {
            if (filter is null || info.Type == filter)
            {
                Emit(Start?.Invoke(info));
            }
        }

        public override void OnOperationEnd(OperationInfo info)
        {
            if (filter is null || info.Type == filter)
            {
                Emit(End?.Invoke(info));
            }
        }

        public override void OnAttemptStart(AttemptInfo info)
        {
            if (filter is null || info.Type == filter)
            {
                Emit(AttemptStartRecord?.Invoke(info));
            }
        }

        public override void OnAttemptEnd(AttemptInfo info)
        {
            if (filter is null || info.Type == filter)
            {
                Emit(AttemptEndRecord?.Invoke(info));
            }
        }

        public override void OnOperationChange(OperationChangeInfo info)
        {
            foreach (var r in Change?.Invoke(info) ?? [])
            {
                Emit(r);
            }
        }
    }

    /// <summary>Logs then throws from every hook (operation and attempt hooks filtered to steps).</summary>
    internal sealed class FaultyPlugin() : RecordingPlugin("CONFPLUGIN-FAULTY")
    {
        public override void OnInvocationStart(InvocationStartInfo info)
        {
            base.OnInvocationStart(info);
            Fail("invocation-start");
        }

        public override void OnInvocationEnd(InvocationEndInfo info) => Fail("invocation-end");

        public override void OnOperationStart(OperationInfo info) => FailIfStep(info.Type, "operation-start");

        public override void OnOperationEnd(OperationInfo info) => FailIfStep(info.Type, "operation-end");

        public override void OnAttemptStart(AttemptInfo info) => FailIfStep(info.Type, "attempt-start");

        public override void OnAttemptEnd(AttemptInfo info) => FailIfStep(info.Type, "attempt-end");

        private void FailIfStep(OperationType type, string hook)
        {
            if (type == OperationType.Step)
            {
                Fail(hook);
            }
        }

        private void Fail(string hook)
        {
            Emit(new() { ["hook"] = hook });
            throw new InvalidOperationException($"faulty plugin: {hook}");
        }
    }

    /// <summary>Invocation-start/end records with the first flag (and, optionally, first/terminal on the end record).</summary>
    internal sealed class InvocationPlugin(string name, bool withFirstOnEnd) : RecordingPlugin(name)
    {
        public override void OnInvocationStart(InvocationStartInfo info)
        {
            base.OnInvocationStart(info);
            Emit(new() { ["hook"] = "invocation-start", ["first"] = info.IsFirstInvocation });
        }

        public override void OnInvocationEnd(InvocationEndInfo info)
        {
            var record = new Dictionary<string, object?> { ["hook"] = "invocation-end", ["status"] = Token(info.Status) };
            if (withFirstOnEnd)
            {
                record["first"] = info.IsFirstInvocation;
                record["terminal"] = info.IsTerminal;
            }

            Emit(record);
        }
    }
}
