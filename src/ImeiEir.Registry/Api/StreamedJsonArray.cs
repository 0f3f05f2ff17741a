using System.Text.Json;

namespace ImeiEir.Registry;

/// <summary>
/// Writes the per-line array of a report (delta, legacy import) and flushes every 4,096 items, so a million-line
/// report (~60 MB) is streamed rather than buffered whole.
/// </summary>
internal static class StreamedJsonArray
{
    private const int ItemsPerFlush = 4096;

    /// <summary>Writes <c>"name": [ item, ... ]</c>, each item by <paramref name="writeItem"/>.</summary>
    public static async Task WriteAsync<T>(Utf8JsonWriter json, string name, IEnumerable<T> items,
        Action<Utf8JsonWriter, T> writeItem, CancellationToken cancellationToken)
    {
        json.WriteStartArray(name);
        int pending = 0;
        foreach (T item in items)
        {
            writeItem(json, item);
            if (++pending == ItemsPerFlush)
            {
                pending = 0;
                await json.FlushAsync(cancellationToken);
            }
        }
        json.WriteEndArray();
    }
}
