using System.Globalization;

namespace Durable.Fluent.LocalService.Http;

/// <summary>Offset paging of the local service: the marker is the index of the next item.</summary>
internal static class Paging
{
    public const int DefaultMaxItems = 100;

    public static (List<T> Page, string? NextMarker) Page<T>(IReadOnlyList<T> all, string? marker, int? maxItems)
    {
        var offset = 0;
        if (!string.IsNullOrEmpty(marker) && (!int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset > all.Count))
        {
            throw ApiError.Invalid($"Invalid Marker '{marker}'.");
        }

        var size = maxItems is > 0 ? maxItems.Value : DefaultMaxItems;
        var page = all.Skip(offset).Take(size).ToList();
        var next = offset + page.Count < all.Count ? (offset + page.Count).ToString(CultureInfo.InvariantCulture) : null;
        return (page, next);
    }
}
