using System.Globalization;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Hosting;

/// <summary>
/// Checks the invocation envelope and every state page before anything runs. Whatever is wrong becomes an
/// <see cref="InvalidInvocationInputException"/> whose message names the field and where it is
/// (<c>InitialExecutionState.Operations[3]</c>, <c>state page 2, Operations[0]</c>): never a hang, a
/// NullReferenceException, or a workflow that runs on the wrong input. The Lambda entry throws it (the invocation is not a
/// durable execution we can trust; see the README's "Errors" table).
/// </summary>
internal static class EnvelopeValidator
{
    private const string ArnMarker = "/durable-execution/";

    public static void ValidateEnvelope(DurableExecutionInvocationInput input)
    {
        if (string.IsNullOrEmpty(input.DurableExecutionArn) || string.IsNullOrEmpty(input.CheckpointToken))
        {
            throw new InvalidInvocationInputException(
                "Unexpected payload provided to start the durable execution: DurableExecutionArn and CheckpointToken are required. "
                + "Check that the function is configured as a durable function and invoked by the durable execution service.");
        }

        if (input.UpdatedOperationIds is { } updated)
        {
            for (var i = 0; i < updated.Count; i++)
            {
                if (string.IsNullOrEmpty(updated[i]))
                {
                    throw new InvalidInvocationInputException($"UpdatedOperationIds[{Index(i)}] of the invocation envelope of {input.DurableExecutionArn} is null or empty.");
                }
            }
        }
    }

    /// <summary>Adds one page of operations to <paramref name="operations"/>, checking each.</summary>
    /// <param name="operations">The state read so far, by id.</param>
    /// <param name="page">The page's operations (may be null: an empty page).</param>
    /// <param name="where">Where the page comes from, for messages (<c>InitialExecutionState</c>, <c>state page 2</c>).</param>
    /// <param name="pagesRead">The pages read before this one, for the duplicate-id message; this page is added to it.</param>
    public static void AddPage(Dictionary<string, Operation> operations, IReadOnlyList<Operation?>? page, string where, List<(string Where, IReadOnlyList<Operation?> Page)> pagesRead)
    {
        if (page is null)
        {
            return;
        }

        for (var i = 0; i < page.Count; i++)
        {
            // This runs for every recorded operation: locations are only rendered for a message.
            var op = OperationChecks.Check(page[i], where, i);
            if (!operations.TryAdd(op.Id, op))
            {
                throw new InvalidInvocationInputException(
                    $"Operation id '{op.Id}' appears twice in the execution state: at {FirstLocation(op.Id, pagesRead, page, where)} and at {OperationChecks.Location(where, i)}. Operation ids are unique within an execution.");
            }
        }

        pagesRead.Add((where, page));
    }

    /// <summary>Where <paramref name="id"/> was first read: in a page read before, or earlier in the current page.</summary>
    private static string FirstLocation(string id, List<(string Where, IReadOnlyList<Operation?> Page)> pagesRead, IReadOnlyList<Operation?> current, string where)
    {
        foreach (var (w, p) in pagesRead.Append((where, current)))
        {
            for (var i = 0; i < p.Count; i++)
            {
                if (string.Equals(p[i]?.Id, id, StringComparison.Ordinal))
                {
                    return OperationChecks.Location(w, i);
                }
            }
        }

        return where;
    }

    /// <summary>
    /// The one EXECUTION operation, which carries the input. There must be exactly one, and when the ARN has the service's
    /// shape (<c>…/durable-execution/&lt;name&gt;/&lt;id&gt;</c>) its id must be the ARN's last segment — the rule the
    /// Python SDK locates it by — so a state that belongs to another execution is never run.
    /// </summary>
    public static Operation FindExecutionOperation(Dictionary<string, Operation> operations, string arn)
    {
        Operation? found = null;
        foreach (var op in operations.Values)
        {
            if (op.Type != OperationType.Execution)
            {
                continue;
            }

            if (found is not null)
            {
                throw new InvalidInvocationInputException(
                    $"The invocation state of {arn} has two EXECUTION operations ('{found.Id}' and '{op.Id}'); an execution has exactly one, and it carries the input.");
            }

            found = op;
        }

        if (found is null)
        {
            throw new InvalidInvocationInputException(
                $"The invocation state of {arn} has no EXECUTION operation, so the execution input cannot be found. The envelope must come from the durable execution service.");
        }

        var marker = arn.IndexOf(ArnMarker, StringComparison.Ordinal);
        if (marker >= 0)
        {
            var segment = arn[(arn.LastIndexOf('/') + 1)..];
            if (segment.Length > 0 && !string.Equals(segment, found.Id, StringComparison.Ordinal))
            {
                throw new InvalidInvocationInputException(
                    $"The EXECUTION operation of the invocation state has id '{found.Id}', but the DurableExecutionArn {arn} ends in '{segment}'; "
                    + "the state does not belong to this execution.");
            }
        }

        return found;
    }

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);
}
