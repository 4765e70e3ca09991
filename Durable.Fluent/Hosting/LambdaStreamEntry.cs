using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Hosting;

/// <summary>The stream form of the Lambda entry: reads the envelope and writes the output with <see cref="WireJson.Envelope"/>.</summary>
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
            throw new InvalidInvocationInputException(
                $"Unexpected payload provided to start the durable execution: the event is not a durable execution envelope ({ex.Message}). "
                + "Check that the function is configured as a durable function and invoked by the durable execution service.");
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
