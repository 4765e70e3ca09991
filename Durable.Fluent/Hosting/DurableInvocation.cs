using Durable.Fluent.Checkpointing;
using Durable.Fluent.Interpretation;
using Durable.Fluent.Plugins;
using Durable.Fluent.Retries;
using Durable.Fluent.Serialization;
using Durable.Fluent.Wire;
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
        if (string.IsNullOrEmpty(input.DurableExecutionArn) || string.IsNullOrEmpty(input.CheckpointToken))
        {
            throw new InvalidInvocationInputException(
                "Unexpected payload provided to start the durable execution: DurableExecutionArn and CheckpointToken are required. "
                + "Check that the function is configured as a durable function and invoked by the durable execution service.");
        }

        var arn = input.DurableExecutionArn;
        var operations = await LoadStateAsync(input, store, cancellationToken).ConfigureAwait(false);
        var execution = FindExecutionOperation(operations, arn);

        ExecutionRun? run = null;
        var batcher = new CheckpointBatcher(store, arn, input.CheckpointToken, ops => run!.Merge(ops));
        run = new ExecutionRun(arn, operations, batcher, options, workflow.Options, workflow.Options.DefaultRetryStrategy ?? RetryPresets.Default, cancellationToken, input.UpdatedOperationIds);
        var logger = options.LoggerFactory.CreateLogger("Durable.Fluent.Invocation");
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
        catch (InvocationTerminatedException)
        {
            // A simulated process exit: what was queued before the "crash" reaches the service, nothing after it.
            await batcher.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (CheckpointException ex) when (ex.IsRetryable)
        {
            logger.LogWarning(ex, "Retryable checkpoint error; the invocation will be retried.");
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            if (ex is not CheckpointException)
            {
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
            }

            logger.LogError(ex, "The durable execution failed: {ErrorType}: {ErrorMessage}", ex.GetType().Name, ex.Message);
            return new DurableExecutionInvocationOutput { Status = InvocationStatus.Failed, Error = ErrorObjects.From(ex) };
        }
    }

    private static async Task<Dictionary<string, Operation>> LoadStateAsync(DurableExecutionInvocationInput input, ICheckpointStore store, CancellationToken cancellationToken)
    {
        var state = input.InitialExecutionState;
        var operations = new Dictionary<string, Operation>(state?.Operations?.Count ?? 0, StringComparer.Ordinal);
        if (state?.Operations is { } first)
        {
            foreach (var op in first)
            {
                operations[op.Id] = op;
            }
        }

        var marker = state?.NextMarker;
        while (!string.IsNullOrEmpty(marker))
        {
            var page = await store.GetStateAsync(input.DurableExecutionArn!, input.CheckpointToken!, marker, cancellationToken).ConfigureAwait(false);
            if (page.Operations is { } ops)
            {
                foreach (var op in ops)
                {
                    operations[op.Id] = op;
                }
            }

            marker = page.NextMarker;
        }

        return operations;
    }

    private static Operation FindExecutionOperation(Dictionary<string, Operation> operations, string arn)
    {
        Operation? found = null;
        foreach (var op in operations.Values)
        {
            if (op.Type == OperationType.Execution)
            {
                found = op;
                break;
            }
        }

        return found ?? throw new InvalidInvocationInputException(
            $"The invocation state of {arn} has no EXECUTION operation, so the execution input cannot be found. The envelope must come from the durable execution service.");
    }
}
