using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;

namespace DocStore.Server.Tests.Reliability;

/// <summary>
/// gRPC calls written byte by byte over h2c, for requests a well-behaved client never sends: a
/// frame header that lies, a body that claims an encoding it lacks, a deadline already spent.
/// </summary>
internal static class RawGrpc
{
    /// <summary>Posts <paramref name="body"/> (frame header included) to <paramref name="method"/> and returns the gRPC status and message.</summary>
    public static async Task<(StatusCode Status, string Message)> CallAsync(Uri server, string method, byte[] body, params (string Name, string Value)[] headers)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, "/docstore.v1.DocStoreService/" + method))
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        var status = Read(response.TrailingHeaders, "grpc-status") ?? Read(response.Headers, "grpc-status")
            ?? throw new InvalidOperationException($"No grpc-status in a {(int)response.StatusCode} response.");
        var message = Read(response.TrailingHeaders, "grpc-message") ?? Read(response.Headers, "grpc-message") ?? "";
        return ((StatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), Uri.UnescapeDataString(message));
    }

    /// <summary>A frame: the compressed flag, the big-endian length, the message.</summary>
    public static byte[] Frame(byte[] message, bool compressed = false)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    private static string? Read(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
