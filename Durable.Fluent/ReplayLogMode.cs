namespace Durable.Fluent;

/// <summary>
/// What the replay-aware <see cref="WorkflowContext.Logger"/> does with lines written while the interpreter replays
/// operations recorded by earlier invocations (set with <see cref="DurableRunOptions.ReplayLogMode"/>).
/// Step bodies are not affected: they only run when their step has no recorded result, so they never log on replay.
/// </summary>
public enum ReplayLogMode
{
    /// <summary>
    /// The default: every line written while replaying is dropped, so a workflow re-invoked N times does not repeat its
    /// lines N times. This includes the lines of a context that re-runs to rebuild a result too large for its checkpoint.
    /// </summary>
    DropWhileReplaying = 0,

    /// <summary>
    /// Like <see cref="DropWhileReplaying"/>, except for a body that really runs again: a child context (child workflow,
    /// map, parallel, branch) whose result exceeded the 256 KiB checkpoint limit succeeds with ReplayChildren and re-runs on
    /// every later replay to rebuild its result. Its lines are logged through its context logger (as the Python SDK's
    /// context logger does for a re-executed child), with the scope value <c>replayingChildren = true</c>.
    /// </summary>
    LogReExecutedContexts = 1,

    /// <summary>
    /// Nothing is dropped. Lines written while replaying carry the scope value <c>isReplaying = true</c>, so a log query can
    /// still tell them apart.
    /// </summary>
    LogAll = 2,
}
