using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Hosting;

/// <summary>
/// The stream form of the Lambda entry: reads the envelope and writes the output with <see cref="WireJson.Envelope"/>. Bytes
/// that are not a durable execution envelope are an <see cref="InvalidInvocationInputException"/> (thrown, as for a missing
/// ARN or token), whose message says what is wrong and where (the JSON path).
/// </summary>
internal static class LambdaStreamEntry
{
    public static async Task HandleAsync(WorkflowDefinition workflow, Stream input, Stream output, ICheckpointStore store, DurableRunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        DurableExecutionInvocationInput? envelope;
        try
        {
            envelope = await JsonSerializer.DeserializeAsync(input, WireJson.Info<DurableExecutionInvocationInput>(WireJson.Envelope), cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            // Not JSON, not UTF-8, wrong JSON types, an unknown enum token, a missing Type or Status, an absurd timestamp.
            var where = string.IsNullOrEmpty(ex.Path) ? string.Empty : $" at {ex.Path}";
            throw new InvalidInvocationInputException(
                $"Unexpected payload provided to start the durable execution: the event is not a valid durable execution envelope{where} ({ex.Message}). "
                + "Check that the function is configured as a durable function and invoked by the durable execution service.",
                ex);
        }
        catch (NotSupportedException ex)
        {
            throw new InvalidInvocationInputException(
                $"Unexpected payload provided to start the durable execution: the event cannot be read as a durable execution envelope ({ex.Message}).",
                ex);
        }

        if (envelope is null)
        {
            throw new InvalidInvocationInputException(
                "Unexpected payload provided to start the durable execution: the event is null. Check that the function is configured as a durable function.");
        }

        var result = await DurableInvocation.RunAsync(workflow, envelope, store, options, cancellationToken).ConfigureAwait(false);
        await JsonSerializer.SerializeAsync(output, result, WireJson.Info<DurableExecutionInvocationOutput>(WireJson.Envelope), cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
