using Durable.Fluent.Wire;

namespace Durable.Fluent.Testing;

public sealed partial class TestExecution<TOut>
{
    /// <summary>The id of the callback named <paramref name="callbackName"/> (or of the callback inside the wait-for-callback of that name).</summary>
    /// <param name="callbackName">The callback's or wait-for-callback's name.</param>
    /// <returns>The callback id.</returns>
    /// <exception cref="InvalidOperationException">No such callback has been created.</exception>
    public string GetCallbackId(string callbackName) => _runner.ResolveCallbackId(DurableExecutionArn, callbackName);

    /// <summary>Completes a callback (by name or id) with a raw success body, then continues the execution.</summary>
    /// <param name="callbackNameOrId">The callback's name (or its wait-for-callback's name), or its id.</param>
    /// <param name="payload">The body (JSON text, e.g. <c>"\"approved\""</c>), or null for none.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>A task.</returns>
    public Task SendCallbackSuccessAsync(string callbackNameOrId, string? payload, CancellationToken cancellationToken = default)
    {
        _runner.Engine.SendCallbackSuccess(_runner.ResolveCallbackId(DurableExecutionArn, callbackNameOrId), payload);
        return ResumeAsync(cancellationToken);
    }

    /// <summary>Fails a callback (by name or id), then continues the execution.</summary>
    /// <param name="callbackNameOrId">The callback's name, or its id.</param>
    /// <param name="errorType">The error type.</param>
    /// <param name="errorMessage">The message.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>A task.</returns>
    public Task SendCallbackFailureAsync(string callbackNameOrId, string? errorType, string? errorMessage, CancellationToken cancellationToken = default)
    {
        _runner.Engine.SendCallbackFailure(_runner.ResolveCallbackId(DurableExecutionArn, callbackNameOrId), new ErrorObject { ErrorType = errorType, ErrorMessage = errorMessage });
        return ResumeAsync(cancellationToken);
    }

    /// <summary>
    /// Continues the execution until a callback named <paramref name="callbackName"/> (any, when null) is open, then hands control
    /// back without firing its timeouts (see <see cref="DurableTestRunner.RunUntilCallbackAsync{TIn, TOut}(Workflow{TIn, TOut}, TIn, string?, string?, CancellationToken)"/>).
    /// </summary>
    /// <param name="callbackName">The callback's (or its wait-for-callback's) name; null for any callback.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>A task.</returns>
    public Task RunUntilCallbackAsync(string? callbackName = null, CancellationToken cancellationToken = default)
        => _runner.DriveAsync(DurableExecutionArn, _handler, cancellationToken, () => _runner.HasOpenCallback(DurableExecutionArn, callbackName));

    /// <summary>
    /// Moves the virtual clock forward by <paramref name="by"/>, firing (and invoking for) everything due on the way — waits,
    /// retries, scripted responses, callback and heartbeat timeouts — and stops there, even if the execution could go on.
    /// Use it between heartbeats: <c>SendCallbackHeartbeat(...)</c>, <c>AdvanceTimeAsync(50 s)</c>, ...
    /// </summary>
    /// <param name="by">How far to move the clock (not negative).</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>A task.</returns>
    public Task AdvanceTimeAsync(TimeSpan by, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        return _runner.DriveAsync(DurableExecutionArn, _handler, cancellationToken, until: _runner.Clock.GetUtcNow() + by);
    }

    /// <summary>Sends a heartbeat to a callback (by name or id): restarts its heartbeat timer. No event, no invocation.</summary>
    /// <param name="callbackNameOrId">The callback's name, or its id.</param>
    public void SendCallbackHeartbeat(string callbackNameOrId)
        => _runner.Engine.SendCallbackHeartbeat(_runner.ResolveCallbackId(DurableExecutionArn, callbackNameOrId));
}
