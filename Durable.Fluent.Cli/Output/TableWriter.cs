namespace Durable.Fluent.Cli.Output;

/// <summary>Plain left-aligned columns, two spaces apart (the last column is not padded).</summary>
internal static class TableWriter
{
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IReadOnlyList<string[]> rows)
    {
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        output.WriteLine(Row(headers, widths));
        foreach (var row in rows)
        {
            output.WriteLine(Row(row, widths));
        }
    }

    private static string Row(IReadOnlyList<string> cells, int[] widths)
        => string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
