using System.Text.Json;
using Microsoft.Azure.Cosmos;

namespace DocStore.Server.Storage.Cosmos;

/// <summary>
/// The SDK's serializer, on System.Text.Json. DocStore sends and receives items as streams, so this
/// only writes the values inside patch operations (<see cref="System.Text.Json.Nodes.JsonNode"/>s).
/// </summary>
internal sealed class SystemTextJsonCosmosSerializer : CosmosSerializer
{
    private static readonly JsonSerializerOptions Options = new()
    {
        Encoder = DocumentJson.WriterOptions.Encoder,
    };

    public override T FromStream<T>(Stream stream)
    {
        if (typeof(Stream).IsAssignableFrom(typeof(T)))
        {
            return (T)(object)stream;
        }

        using (stream)
        {
            return JsonSerializer.Deserialize<T>(stream, Options)!;
        }
    }

    public override Stream ToStream<T>(T input)
    {
        var stream = new MemoryStream();
        JsonSerializer.Serialize(stream, input, Options);
        stream.Position = 0;
        return stream;
    }
}
