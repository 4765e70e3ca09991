namespace Durable.Fluent.Testing;

/// <summary>
/// Throw from a step body (or let <see cref="DurableTestRunnerOptions.CrashBeforeStep"/> throw it) to simulate the Lambda
/// process exiting mid-step: the invocation ends at once, what it had queued reaches the service, nothing after it does,
/// the history records <c>InvocationCompleted</c> with <c>Runtime.ExitError</c>, and the runner re-invokes.
/// </summary>
public sealed class SimulatedCrashException : InvocationTerminatedException
{
    /// <summary>Creates the exception.</summary>
    public SimulatedCrashException()
        : base("Simulated runtime exit (process.exit) during the invocation.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message recorded on InvocationCompleted.</param>
    public SimulatedCrashException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SimulatedCrashException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
