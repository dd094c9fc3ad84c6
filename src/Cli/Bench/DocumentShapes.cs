using System.Globalization;
using System.Text;

namespace DocStore.Cli.Bench;

/// <summary>
/// Documents of a given size in two shapes: <c>flat</c> (<c>id</c>, <c>pk</c>, <c>n</c> and one padded
/// string, the easiest shape there is) and <c>nested</c> (an order: <c>items</c> holds small line
/// objects <c>{"sku","qty","name","tags":["a","b"]}</c>, as many as fit), both at most the size given.
/// </summary>
internal static class DocumentShapes
{
    public const string Flat = "flat";

    public const string Nested = "nested";

    public static readonly string[] All = [Flat, Nested];

    /// <summary>The document's UTF-8 JSON, at most <paramref name="bytes"/> long (a little less for nested).</summary>
    public static byte[] Json(string shape, int bytes, string id, string partitionKey)
    {
        var json = new StringBuilder(bytes + 64);
        json.Append(CultureInfo.InvariantCulture, $"{{\"id\":\"{id}\",\"pk\":\"{partitionKey}\"");
        if (shape == Flat)
        {
            const string tail = ",\"n\":0,\"payload\":\"\"}";
            json.Append(",\"n\":0,\"payload\":\"").Append('x', Math.Max(0, bytes - json.Length - tail.Length)).Append("\"}");
            return Encoding.UTF8.GetBytes(json.ToString());
        }

        json.Append(",\"items\":[");
        for (var i = 0; ; i++)
        {
            var item = string.Create(CultureInfo.InvariantCulture, $"{{\"sku\":\"sku-{i:D6}\",\"qty\":{i % 9 + 1},\"name\":\"line item {i}\",\"tags\":[\"a\",\"b\"]}}");
            if (i > 0 && json.Length + item.Length + 3 > bytes)
            {
                break;
            }

            json.Append(i == 0 ? "" : ",").Append(item);
        }

        return Encoding.UTF8.GetBytes(json.Append("]}").ToString());
    }

    /// <summary>The line items of a nested document, typed, for the client package's rows.</summary>
    public sealed record Order(string Id, string Pk, IReadOnlyList<OrderLine> Items);

    /// <summary>One line item.</summary>
    public sealed record OrderLine(string Sku, int Qty, string Name, IReadOnlyList<string> Tags);

    /// <summary>A flat document, typed.</summary>
    public sealed record Padded(string Id, string Pk, long N, string Payload);
}
