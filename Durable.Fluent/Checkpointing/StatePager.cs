using System.Globalization;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Checkpointing;

/// <summary>
/// Guards a GetDurableExecutionState page loop against a service (or a proxy, or a test double) that never ends it: a
/// marker seen before, a page with no operation that still announces another page, or more pages than any execution can
/// fill. Each is an <see cref="InvalidInvocationInputException"/> that names the loop and the page, never a hang.
/// </summary>
internal sealed class StatePager(string where)
{
    /// <summary>
    /// More pages than this cannot be honest: an execution holds at most a few thousand operations and every page but the
    /// last carries at least one.
    /// </summary>
    internal const int MaxPages = 10_000;

    private readonly HashSet<string> _markers = new(StringComparer.Ordinal);
    private int _pages;

    /// <summary>The marker to read next, or null when <paramref name="marker"/> ends the loop.</summary>
    /// <exception cref="InvalidInvocationInputException">The marker repeats, or there are too many pages.</exception>
    public string? Next(string? marker)
    {
        if (string.IsNullOrEmpty(marker))
        {
            return null;
        }

        if (!_markers.Add(marker))
        {
            throw new InvalidInvocationInputException(
                $"The execution state paging of the {where} returned the marker '{Shorten(marker)}' a second time (after page {_pages}); "
                + "following it would loop forever. The state comes from the durable execution service: check what answers GetDurableExecutionState.");
        }

        if (++_pages > MaxPages)
        {
            throw new InvalidInvocationInputException(
                string.Format(CultureInfo.InvariantCulture, "The execution state paging of the {0} did not end after {1:N0} pages.", where, MaxPages));
        }

        return marker;
    }

    /// <summary>Checks one page read with the marker last returned by <see cref="Next"/>.</summary>
    /// <exception cref="InvalidInvocationInputException">The page is null, or announces another page without carrying an operation.</exception>
    public void Check(ExecutionState? page)
    {
        if (page is null)
        {
            throw new InvalidInvocationInputException($"GetDurableExecutionState answered page {_pages} of the {where} with no body.");
        }

        if (!string.IsNullOrEmpty(page.NextMarker) && (page.Operations is null || page.Operations.Count == 0))
        {
            throw new InvalidInvocationInputException(
                $"GetDurableExecutionState answered page {_pages} of the {where} with no operations but another marker; the paging makes no progress.");
        }
    }

    private static string Shorten(string marker) => marker.Length <= 64 ? marker : string.Concat(marker.AsSpan(0, 61), "...");
}

/// <summary>Checks of one operation read from the service (the envelope, a state page, a checkpoint response).</summary>
internal static class OperationChecks
{
    /// <summary>Returns <paramref name="op"/> if it is usable: not null, with an Id, a known Type and Status, a non-negative attempt.</summary>
    /// <param name="op">The operation as read.</param>
    /// <param name="at">Where it was read, for the message (<c>InitialExecutionState.Operations[3]</c>).</param>
    /// <exception cref="InvalidInvocationInputException">The operation is unusable; the message names <paramref name="at"/>.</exception>
    public static Operation Check(Operation? op, string at)
    {
        if (op is null)
        {
            throw new InvalidInvocationInputException($"{at} is null; every entry of Operations must be an operation.");
        }

        if (string.IsNullOrEmpty(op.Id))
        {
            throw new InvalidInvocationInputException($"{at} has no Id.");
        }

        if (!Enum.IsDefined(op.Type))
        {
            throw new InvalidInvocationInputException($"{at} ('{op.Id}') has an unknown Type ({((int)op.Type).ToString(CultureInfo.InvariantCulture)}).");
        }

        if (!Enum.IsDefined(op.Status))
        {
            throw new InvalidInvocationInputException($"{at} ('{op.Id}') has an unknown Status ({((int)op.Status).ToString(CultureInfo.InvariantCulture)}).");
        }

        if (op.StepDetails?.Attempt is < 0 and var attempt)
        {
            throw new InvalidInvocationInputException($"{at} ('{op.Id}') has StepDetails.Attempt {attempt.ToString(CultureInfo.InvariantCulture)}; it cannot be negative.");
        }

        return op;
    }

    /// <summary>
    /// Like <see cref="Check(Operation?, string)"/> for entry <paramref name="index"/> of a list read at <paramref name="where"/>;
    /// the location text is only built for the error message, so checking a usable operation allocates nothing (this runs
    /// once per operation of every invocation's state).
    /// </summary>
    public static Operation Check(Operation? op, string where, int index)
        => op is { Id.Length: > 0 } && Enum.IsDefined(op.Type) && Enum.IsDefined(op.Status) && op.StepDetails?.Attempt is not < 0
            ? op
            : Check(op, Location(where, index));

    /// <summary>The location of entry <paramref name="index"/> of a list read at <paramref name="where"/>, for messages.</summary>
    public static string Location(string where, int index) => $"{where}.Operations[{index.ToString(CultureInfo.InvariantCulture)}]";

    /// <summary>Checks every operation of a list read from the service.</summary>
    /// <param name="ops">The operations (null is an empty list).</param>
    /// <param name="where">Where the list was read, for messages.</param>
    public static void CheckAll(IReadOnlyList<Operation?>? ops, string where)
    {
        for (var i = 0; i < (ops?.Count ?? 0); i++)
        {
            Check(ops![i], where, i);
        }
    }
}
