using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DocStore.Server.Tests.Api;

/// <summary>
/// Requests that protobuf cannot decode, and values at the edges of what JSON and doubles hold, on every
/// store: see <see cref="EmbeddedRequestDecodingTests"/> and <see cref="Cosmos.CosmosRequestDecodingTests"/>.
/// </summary>
public abstract class RequestDecodingTests(IContractServer server)
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(bytes => bytes, bytes => bytes);

    private static readonly Method<byte[], byte[]> RawGet = new(MethodType.Unary, "docstore.v1.DocStoreService", "Get", Raw, Raw);

    [Fact]
    public virtual async Task A_request_with_invalid_UTF_8_is_an_invalid_argument()
    {
        // GetRequest { collection = "items" (field 1), id = 0xFF (field 2, not UTF-8), partition_key = "p" (field 3) }
        byte[] message = [0x0A, 5, (byte)'i', (byte)'t', (byte)'e', (byte)'m', (byte)'s', 0x12, 1, 0xFF, 0x1A, 1, (byte)'p'];

        var violations = await RpcAssert.InvalidAsync(
            () => server.Channel.CreateCallInvoker().AsyncUnaryCall(RawGet, null, new CallOptions(), message).ResponseAsync,
            "request");
        Assert.Contains("UTF-8", violations.FieldViolations[0].Description, StringComparison.Ordinal);
    }

    [Fact]
    public virtual async Task A_document_nested_past_protobufs_recursion_limit_is_an_invalid_argument()
    {
        var inner = new Struct { Fields = { ["leaf"] = Value.ForNumber(1) } };
        for (var i = 0; i < 40; i++)
        {
            inner = new Struct { Fields = { ["a"] = Value.ForStruct(inner) } };
        }

        inner.Fields["id"] = Value.ForString("deep");
        inner.Fields["pk"] = Value.ForString("p");

        // The document's Struct is read by DocStore's transcoder, not protobuf's parser, so the
        // nesting limit names the place: the object at level 33, 32 "a"s down.
        var violations = await RpcAssert.InvalidAsync(
            () => server.Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = inner }).ResponseAsync,
            "document." + string.Join('.', Enumerable.Repeat("a", 32)));
        Assert.Contains("32 levels", violations.FieldViolations[0].Description, StringComparison.Ordinal);
    }

    [Fact]
    public virtual async Task Negative_zero_reads_back_as_it_was_written()
    {
        var document = Json.Struct("""{"id":"minus-zero","pk":"p"}""");
        document.Fields["z"] = Value.ForNumber(-0.0);

        var written = await server.Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = document });
        var read = await server.Client.GetAsync(new GetRequest { Collection = "items", Id = "minus-zero", PartitionKey = "p" });

        Assert.True(double.IsNegative(written.Document.Body.Fields["z"].NumberValue));
        Assert.True(double.IsNegative(read.Document.Body.Fields["z"].NumberValue));
    }

    [Fact]
    public virtual async Task An_increment_past_2_to_the_53_returns_what_is_stored()
    {
        await server.Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"big","pk":"p","n":9007199254740992}""") });

        var patched = await server.Client.PatchAsync(new PatchRequest
        {
            Collection = "items",
            Id = "big",
            PartitionKey = "p",
            Operations = { new PatchOperation { Increment = new IncrementOperation { Path = "/n", By = 1 } } },
        });
        var read = await server.Client.GetAsync(new GetRequest { Collection = "items", Id = "big", PartitionKey = "p" });

        Assert.Equal(read.Document.Body.Fields["n"].NumberValue, patched.Document.Body.Fields["n"].NumberValue);
        Assert.Equal(9007199254740992d, read.Document.Body.Fields["n"].NumberValue);
    }

    [Fact]
    public virtual async Task A_collection_name_longer_than_255_characters_is_an_invalid_argument() =>
        await RpcAssert.InvalidAsync(
            () => server.Client.GetAsync(new GetRequest { Collection = new string('c', 256), Id = "x", PartitionKey = "p" }).ResponseAsync,
            "collection");
}
