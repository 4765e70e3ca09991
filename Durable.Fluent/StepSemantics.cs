namespace Durable.Fluent;

/// <summary>Step semantics per retry attempt.</summary>
public enum StepSemantics
{
    /// <summary>The body may run more than once per attempt if the invocation ends before the result is checkpointed (default).</summary>
    AtLeastOncePerRetry,

    /// <summary>The START of each attempt is checkpointed before the body runs; an interrupted attempt is never re-run blindly.</summary>
    AtMostOncePerRetry,
}
