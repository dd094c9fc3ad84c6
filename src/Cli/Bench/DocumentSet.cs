using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;

namespace DocStore.Cli.Bench;

/// <summary>
/// The documents a run reads and writes: document <c>i</c> has id <c>doc-i</c>, partition key
/// <c>pk-(i mod partitions)</c> at the property <c>pk</c>, a counter <c>n</c> and a <c>payload</c>
/// string that pads its UTF-8 JSON to <see cref="DocumentBytes"/>. <c>docstore seed-embedded</c>
/// (<see cref="EmbeddedSeeder"/>) writes these documents into an embedded store file.
/// </summary>
internal sealed class DocumentSet(int count, int documentBytes, int partitions = DocumentSet.DefaultPartitions)
{
    /// <summary>Partition keys used: each is one session-token key in Redis per collection.</summary>
    public const int DefaultPartitions = 1000;

    public int Count { get; } = count;

    public int DocumentBytes { get; } = documentBytes;

    public int Partitions { get; } = partitions;

    public static string Id(int index) => "doc-" + index.ToString(CultureInfo.InvariantCulture);

    public string PartitionKey(int index) => "pk-" + (index % Partitions).ToString(CultureInfo.InvariantCulture);

    /// <summary>The document's JSON as the server stores it: properties in this order, no spaces.</summary>
    public string Json(int index)
    {
        var id = Id(index);
        var pk = PartitionKey(index);
        return $"{{\"id\":\"{id}\",\"pk\":\"{pk}\",\"n\":0,\"payload\":\"{new string('x', PayloadLength(id, pk))}\"}}";
    }

    /// <summary>The document as a protobuf <see cref="Struct"/>, for an Upsert.</summary>
    public Struct Body(int index) => Body(Id(index), PartitionKey(index));

    /// <summary>A document of the set's size with its own <paramref name="id"/>, in partition <paramref name="pk"/>.</summary>
    public Struct Body(string id, string pk)
    {
        var body = new Struct();
        body.Fields["id"] = Value.ForString(id);
        body.Fields["pk"] = Value.ForString(pk);
        body.Fields["n"] = Value.ForNumber(0);
        body.Fields["payload"] = Value.ForString(new string('x', PayloadLength(id, pk)));
        return body;
    }

    private int PayloadLength(string id, string pk)
    {
        // {"id":"…","pk":"…","n":0,"payload":"…"}: everything but the payload's characters.
        var overhead = Encoding.UTF8.GetByteCount("{\"id\":\"\",\"pk\":\"\",\"n\":0,\"payload\":\"\"}") + id.Length + pk.Length;
        return Math.Max(0, DocumentBytes - overhead);
    }
}
