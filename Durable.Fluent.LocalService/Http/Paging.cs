using System.Globalization;

namespace Durable.Fluent.LocalService.Http;

/// <summary>Offset paging of the local service: the marker is the index of the next item.</summary>
internal static class Paging
{
    public const int DefaultMaxItems = 100;

    public static (List<T> Page, string? NextMarker) Page<T>(IReadOnlyList<T> all, string? marker, int? maxItems)
    {
        var offset = Offset(marker);
        if (offset > all.Count)
        {
            throw InvalidMarker(offset);
        }

        var size = Size(maxItems);
        var page = all.Skip(offset).Take(size).ToList();
        var next = offset + page.Count < all.Count ? (offset + page.Count).ToString(CultureInfo.InvariantCulture) : null;
        return (page, next);
    }

    /// <summary>The offset a marker names (0 without one).</summary>
    /// <exception cref="ApiError">Not a non-negative integer.</exception>
    public static int Offset(string? marker)
    {
        var offset = 0;
        if (!string.IsNullOrEmpty(marker) && !int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
        {
            throw ApiError.Invalid($"Invalid Marker '{marker}'.");
        }

        return offset;
    }

    /// <summary>The page size: MaxItems, or the default for none or 0.</summary>
    public static int Size(int? maxItems) => maxItems is > 0 ? maxItems.Value : DefaultMaxItems;

    /// <summary>The error for a marker past the end.</summary>
    public static ApiError InvalidMarker(int offset) => ApiError.Invalid($"Invalid Marker '{offset.ToString(CultureInfo.InvariantCulture)}'.");
}
