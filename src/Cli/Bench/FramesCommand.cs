using System.Buffers.Binary;
using System.CommandLine;
using DocStore.V1;
using Google.Protobuf;
using Grpc.Health.V1;

namespace DocStore.Cli.Bench;

/// <summary>
/// The <c>docstore frames</c> command: writes the bench's requests as gRPC message frames (a 5-byte
/// length prefix and the protobuf message) so that a load generator that knows no protobuf, such as
/// h2load, can send the same calls (eng/h2load-crosscheck.sh).
/// </summary>
internal static class FramesCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Directory to write liveness.bin, get.bin and upsert.bin into", Required = true };
        var docSize = new Option<int>("--doc-size") { Description = "Bytes of the document as UTF-8 JSON", DefaultValueFactory = _ => 1024 };
        var collection = new Option<string>("--collection") { Description = "The collection, partitioned by /pk", DefaultValueFactory = _ => "items" };
        var command = new Command("frames", "Write the bench's requests (liveness health check, Get and Upsert of document doc-0) as gRPC message frames, for h2load.")
        {
            output, docSize, collection,
        };
        command.SetAction(parse =>
        {
            var directory = Directory.CreateDirectory(parse.GetValue(output)!).FullName;
            var name = parse.GetValue(collection)!;
            var documents = new DocumentSet(1, parse.GetValue(docSize));
            Write(Path.Combine(directory, "liveness.bin"), new HealthCheckRequest { Service = CeilingWorkload.Service });
            Write(Path.Combine(directory, "get.bin"), new GetRequest { Collection = name, Id = DocumentSet.Id(0), PartitionKey = documents.PartitionKey(0) });
            Write(Path.Combine(directory, "upsert.bin"), new UpsertRequest { Collection = name, Document = documents.Body(0) });
            parse.InvocationConfiguration.Output.WriteLine($"wrote liveness.bin, get.bin and upsert.bin to {directory}");
            return 0;
        });
        return command;
    }

    /// <summary>One uncompressed gRPC message: flag 0, the length big-endian, then the message.</summary>
    public static byte[] Frame(IMessage message)
    {
        var body = message.ToByteArray();
        var frame = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame, 5);
        return frame;
    }

    private static void Write(string path, IMessage message) => File.WriteAllBytes(path, Frame(message));
}
