using System.Text.Json.Serialization;

namespace Durable.Fluent.Wire;

/// <summary>The type of a durable operation (<c>Operation.Type</c> / <c>OperationUpdate.Type</c>).</summary>
[JsonConverter(typeof(UpperSnakeEnumConverter<OperationType>))]
public enum OperationType
{
    /// <summary>The execution itself; carries the input payload.</summary>
    Execution,
    /// <summary>A child context (plain child, wait-for-callback wrapper, parallel, map and their branches).</summary>
    Context,
    /// <summary>A step, or one poll of a wait-for-condition.</summary>
    Step,
    /// <summary>A durable timer.</summary>
    Wait,
    /// <summary>A callback completed from outside the execution.</summary>
    Callback,
    /// <summary>An invocation of another Lambda function.</summary>
    ChainedInvoke,
}

/// <summary>Status of a durable operation as stored by the service.</summary>
[JsonConverter(typeof(UpperSnakeEnumConverter<OperationStatus>))]
public enum OperationStatus
{
    /// <summary>Started and not finished.</summary>
    Started,
    /// <summary>A step waiting for its retry timer.</summary>
    Pending,
    /// <summary>A step whose retry timer has fired.</summary>
    Ready,
    /// <summary>Finished successfully.</summary>
    Succeeded,
    /// <summary>Finished with an error.</summary>
    Failed,
    /// <summary>Cancelled.</summary>
    Cancelled,
    /// <summary>Timed out (callbacks, chained invokes).</summary>
    TimedOut,
    /// <summary>Stopped (chained invokes).</summary>
    Stopped,
}

/// <summary>The action of an <see cref="OperationUpdate"/>.</summary>
[JsonConverter(typeof(UpperSnakeEnumConverter<OperationAction>))]
public enum OperationAction
{
    /// <summary>Start the operation.</summary>
    Start,
    /// <summary>Complete the operation successfully.</summary>
    Succeed,
    /// <summary>Complete the operation with an error.</summary>
    Fail,
    /// <summary>Record a failed (or continuing) attempt of a step and schedule the next one.</summary>
    Retry,
    /// <summary>Cancel the operation.</summary>
    Cancel,
}

/// <summary>The status a durable handler invocation returns.</summary>
[JsonConverter(typeof(UpperSnakeEnumConverter<InvocationStatus>))]
public enum InvocationStatus
{
    /// <summary>The execution finished successfully.</summary>
    Succeeded,
    /// <summary>The execution failed.</summary>
    Failed,
    /// <summary>The execution is suspended; the service re-invokes when something becomes due.</summary>
    Pending,
}

/// <summary>Status of a whole durable execution (GetDurableExecution).</summary>
[JsonConverter(typeof(UpperSnakeEnumConverter<ExecutionStatus>))]
public enum ExecutionStatus
{
    /// <summary>Still running or suspended.</summary>
    Running,
    /// <summary>Finished successfully.</summary>
    Succeeded,
    /// <summary>Failed.</summary>
    Failed,
    /// <summary>Exceeded its execution timeout.</summary>
    TimedOut,
    /// <summary>Stopped through StopDurableExecution.</summary>
    Stopped,
}

/// <summary>Operation sub-types the SDK sends (<c>SubType</c>).</summary>
public static class OperationSubTypes
{
    /// <summary>A plain step.</summary>
    public const string Step = "Step";
    /// <summary>A poll of wait-for-condition.</summary>
    public const string WaitForCondition = "WaitForCondition";
    /// <summary>A durable wait.</summary>
    public const string Wait = "Wait";
    /// <summary>A callback.</summary>
    public const string Callback = "Callback";
    /// <summary>A chained invoke.</summary>
    public const string ChainedInvoke = "ChainedInvoke";
    /// <summary>A plain child context.</summary>
    public const string RunInChildContext = "RunInChildContext";
    /// <summary>The wrapper context of wait-for-callback.</summary>
    public const string WaitForCallback = "WaitForCallback";
    /// <summary>A parallel operation.</summary>
    public const string Parallel = "Parallel";
    /// <summary>One branch of a parallel operation.</summary>
    public const string ParallelBranch = "ParallelBranch";
    /// <summary>A map operation.</summary>
    public const string Map = "Map";
    /// <summary>One item of a map operation.</summary>
    public const string MapIteration = "MapIteration";
}
