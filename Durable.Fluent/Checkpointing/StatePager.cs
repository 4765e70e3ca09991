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
                $"The execution state paging of the {where} did not end after {MaxPages.ToString(CultureInfo.InvariantCulture)} pages.");
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
