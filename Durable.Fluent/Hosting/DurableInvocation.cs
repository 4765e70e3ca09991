using Durable.Fluent.Checkpointing;
using Durable.Fluent.Interpretation;
using Durable.Fluent.Plugins;
using Durable.Fluent.Retries;
using Durable.Fluent.Serialization;
using Durable.Fluent.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Hosting;

/// <summary>
/// One handler invocation: validates the envelope, loads the full state (paging), locates the input, runs the root chain,
/// flushes checkpoints and maps the outcome to SUCCEEDED / FAILED / PENDING. Retryable service errors escape (so Lambda
/// retries the invocation); every other error becomes FAILED.
/// </summary>
internal static class DurableInvocation
{
    public static async Task<DurableExecutionInvocationOutput> RunAsync(
        WorkflowDefinition workflow,
        DurableExecutionInvocationInput input,
        ICheckpointStore store,
        DurableRunOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(store);
        EnvelopeValidator.ValidateEnvelope(input);

        // One service scope per invocation, disposed when it ends (also when it fails or is retried).
        var scope = options.Services?.GetService<IServiceScopeFactory>()?.CreateAsyncScope();
        try
        {
            return await RunScopedAsync(workflow, input, store, options, scope?.ServiceProvider ?? options.Services, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (scope is { } s)
            {
                await s.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<DurableExecutionInvocationOutput> RunScopedAsync(
        WorkflowDefinition workflow,
        DurableExecutionInvocationInput input,
        ICheckpointStore store,
        DurableRunOptions options,
        IServiceProvider? services,
        CancellationToken cancellationToken)
    {
        var arn = input.DurableExecutionArn!;
        var logger = options.LoggerFactory.CreateLogger("Durable.Fluent.Invocation");
        Dictionary<string, Operation> operations;
        try
        {
            operations = await LoadStateAsync(input, store, cancellationToken).ConfigureAwait(false);
        }
        catch (CheckpointException ex) when (!ex.IsRetryable)
        {
            // GetDurableExecutionState answered 4xx while paging: as for a checkpoint call, the execution fails (§c).
            logger.LogError(ex, "Reading the execution state failed: {ErrorMessage}", ex.Message);
            return new DurableExecutionInvocationOutput { Status = InvocationStatus.Failed, Error = ErrorObjects.From(ex) };
        }

        var execution = EnvelopeValidator.FindExecutionOperation(operations, arn);

        ExecutionRun? run = null;
        var batcher = new CheckpointBatcher(store, arn, input.CheckpointToken!, ops => run!.Merge(ops), ex => run!.Abort(ex))
        {
            PipelineWindow = workflow.Options.PipelineWindow,
            RequestCancellation = cancellationToken,
        };
        using (run = new ExecutionRun(arn, operations, batcher, options, workflow.Options, workflow.Options.DefaultRetryStrategy ?? RetryPresets.Default, cancellationToken, input.UpdatedOperationIds, services) { Definition = workflow.Chain })
        {
            var startInfo = run.Plugins is null ? null : StartInfo(run, input, operations, execution, options);
            if (startInfo is not null)
            {
                run.Plugins!.InvocationStart(startInfo);
            }

            DurableExecutionInvocationOutput output;
            try
            {
                output = await RunCoreAsync(workflow, run, batcher, execution, arn, logger, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                run.Plugins?.Telemetry?.InvocationAborted(ex); // the invocation is retried (or the process "crashed"): end its spans
                throw;
            }
            finally
            {
                // A pipelined request still in flight (a failure path returns without flushing) ends before the invocation does.
                await batcher.DrainAsync().ConfigureAwait(false);
            }

            if (startInfo is not null)
            {
                run.Plugins!.InvocationEnd(new InvocationEndInfo
                {
                    DurableExecutionArn = arn,
                    IsFirstInvocation = startInfo.IsFirstInvocation,
                    RequestId = startInfo.RequestId,
                    Operations = run.SnapshotOperations(),
                    UpdatedOperations = startInfo.UpdatedOperations,
                    ExecutionStartTimestamp = startInfo.ExecutionStartTimestamp,
                    Status = output.Status,
                    ExecutionError = output.Error,
                });
            }

            return output;
        }
    }

    private static InvocationStartInfo StartInfo(ExecutionRun run, DurableExecutionInvocationInput input, Dictionary<string, Operation> operations, Operation execution, DurableRunOptions options)
    {
        var all = run.SnapshotOperations();
        var updated = new Dictionary<string, Operation>(StringComparer.Ordinal);
        foreach (var id in input.UpdatedOperationIds ?? [])
        {
            if (all.TryGetValue(id, out var op))
            {
                updated[id] = op;
            }
        }

        return new InvocationStartInfo
        {
            DurableExecutionArn = run.Arn,
            IsFirstInvocation = operations.Values.All(o => o.Type == OperationType.Execution),
            RequestId = options.RequestId,
            Operations = all,
            UpdatedOperations = updated,
            ExecutionStartTimestamp = execution.StartTimestamp,
        };
    }

    private static async Task<DurableExecutionInvocationOutput> RunCoreAsync(
        WorkflowDefinition workflow,
        ExecutionRun run,
        CheckpointBatcher batcher,
        Operation execution,
        string arn,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        try
        {
            // An input offloaded by the caller (PayloadReference.WriteAsync) or by a Durable.Fluent parent is read back here.
            var inputPayload = await run.ResolveAsync(execution.ExecutionDetails?.InputPayload, execution.Id, "execution input").ConfigureAwait(false);
            object? workflowInput;
            try
            {
                workflowInput = workflow.InputCodec.Resolve(run.Json).Deserialize(string.IsNullOrEmpty(inputPayload) ? "{}" : inputPayload, new SerDesContext(execution.Id, null, arn));
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException)
            {
                throw new InvalidInvocationInputException($"The execution input cannot be read as {workflow.InputType.Name}: {ex.Message}");
            }

            var root = new Frame(run, null, null, workflowInput);
            var outcome = await ChainRunner.RunAsync(workflow.Chain, root, workflowInput).ConfigureAwait(false);
            run.ThrowIfAborted();
            if (outcome.IsSuspended)
            {
                await batcher.FlushAsync(cancellationToken).ConfigureAwait(false);
                return new DurableExecutionInvocationOutput { Status = InvocationStatus.Pending };
            }

            var result = workflow.OutputCodec.Resolve(run.Json).Serialize(outcome.Value, new SerDesContext(execution.Id, null, arn));
            if (outcome.Value is null)
            {
                result = null;
            }

            if (run.Offloader is not null && Limits.Utf8Size(result) > Limits.MaxResponseBytes)
            {
                // Over the response limit with offload on: the result is the reference (PayloadReference.ReadAsync reads it).
                result = await run.OffloadAsync(result, execution.Id).ConfigureAwait(false);
            }

            if (Limits.Utf8Size(result) > Limits.MaxResponseBytes)
            {
                Limits.EnsurePayload(result, "execution result", Limits.MaxServicePayloadBytes);
                batcher.Enqueue(new OperationUpdate { Id = execution.Id, Type = OperationType.Execution, Action = OperationAction.Succeed, Payload = result });
                await batcher.FlushAsync(cancellationToken).ConfigureAwait(false);
                return new DurableExecutionInvocationOutput { Status = InvocationStatus.Succeeded, Result = string.Empty };
            }

            await batcher.FlushAsync(cancellationToken).ConfigureAwait(false);
            return new DurableExecutionInvocationOutput { Status = InvocationStatus.Succeeded, Result = result };
        }
        catch (Exception caught)
        {
            // Every concurrent unit has ended by now (batch executors await their workers), so no user code is running. The
            // first fatal error decides the outcome: units that stopped because of it only saw cancellation.
            var ex = run.AbortCause ?? caught;
            return await FailAsync(ex, batcher, logger, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Maps the error that ended the invocation to a thrown exception (Lambda retries) or a FAILED output.</summary>
    private static async Task<DurableExecutionInvocationOutput> FailAsync(Exception ex, CheckpointBatcher batcher, ILogger logger, CancellationToken cancellationToken)
    {
        switch (ex)
        {
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                Rethrow(ex);
                break;
            case InvocationTerminatedException:
                // A simulated process exit: what was queued before the "crash" reaches the service, nothing after it (the
                // batcher was sealed when the run aborted).
                if (!ReferenceEquals(batcher.Failure, ex))
                {
                    await batcher.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }

                Rethrow(ex);
                break;
            case CheckpointException { IsRetryable: true }:
                logger.LogWarning(ex, "Retryable checkpoint error; the invocation will be retried.");
                Rethrow(ex);
                break;
            case CheckpointException:
                break;
            case not null when ReferenceEquals(batcher.Failure, ex):
                // The checkpoint port failed in a way it does not classify (a network error, a malformed state page): the
                // invocation is retried, as for a 5xx.
                logger.LogWarning(ex, "The checkpoint store failed; the invocation will be retried.");
                Rethrow(ex);
                break;
            default:
                try
                {
                    await batcher.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (CheckpointException flushError) when (flushError.IsRetryable)
                {
                    throw;
                }
                catch (CheckpointException flushError)
                {
                    // The failure's own checkpoint was rejected: the execution fails with the original error either way.
                    logger.LogWarning(flushError, "Could not checkpoint the failure's pending updates.");
                }

                break;
        }

        logger.LogError(ex, "The durable execution failed: {ErrorType}: {ErrorMessage}", ex!.GetType().Name, ex.Message);
        return new DurableExecutionInvocationOutput { Status = InvocationStatus.Failed, Error = ErrorObjects.From(ex) };
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Rethrow(Exception ex) => System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex).Throw();

    private static async Task<Dictionary<string, Operation>> LoadStateAsync(DurableExecutionInvocationInput input, ICheckpointStore store, CancellationToken cancellationToken)
    {
        var state = input.InitialExecutionState;
        var operations = new Dictionary<string, Operation>(state?.Operations?.Count ?? 0, StringComparer.Ordinal);
        var origin = new List<(string Where, IReadOnlyList<Operation?> Page)>();
        EnvelopeValidator.AddPage(operations, state?.Operations, "InitialExecutionState", origin);
        var pager = new StatePager("invocation envelope");
        var marker = state?.NextMarker;
        var pageNumber = 1;
        while (pager.Next(marker) is { } next)
        {
            var page = await store.GetStateAsync(input.DurableExecutionArn!, input.CheckpointToken!, next, cancellationToken).ConfigureAwait(false);
            pager.Check(page);
            EnvelopeValidator.AddPage(operations, page.Operations, $"state page {++pageNumber}", origin);
            marker = page.NextMarker;
        }

        return operations;
    }
}
