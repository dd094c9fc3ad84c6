using DocStore.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>
/// The Redis tests' probe: write a version of document <c>d</c> through one server, read it at once through
/// another without a caller token, and say whether the read saw it. A stale read is an older version, or
/// NOT_FOUND for a new document; any other error is a failed call.
/// </summary>
public static class ReadAfterWrite
{
    /// <summary>What one write-then-read found.</summary>
    public enum Outcome
    {
        /// <summary>The read returned the version written, or a newer one.</summary>
        Fresh,

        /// <summary>The read returned an older version, or NOT_FOUND.</summary>
        Stale,

        /// <summary>The write or the read failed.</summary>
        Failed,
    }

    /// <summary>Tallies of many outcomes.</summary>
    public sealed record Tally(int Fresh, int Stale, int Failed)
    {
        /// <summary>Counts <paramref name="outcomes"/>.</summary>
        public static Tally Of(IEnumerable<Outcome> outcomes)
        {
            var all = outcomes.ToList();
            return new Tally(all.Count(o => o == Outcome.Fresh), all.Count(o => o == Outcome.Stale), all.Count(o => o == Outcome.Failed));
        }
    }

    /// <summary><c>{"id", "pk", "version"}</c>.</summary>
    public static Struct Document(string id, string partitionKey, int version) => new()
    {
        Fields = { ["id"] = Value.ForString(id), ["pk"] = Value.ForString(partitionKey), ["version"] = Value.ForNumber(version) },
    };

    /// <summary>Writes <paramref name="version"/> in <paramref name="partitionKey"/> through <paramref name="writer"/> and reads it through <paramref name="reader"/>.</summary>
    public static async Task<Outcome> CheckAsync(
        DocStoreService.DocStoreServiceClient writer, DocStoreService.DocStoreServiceClient reader, string partitionKey, int version, CancellationToken cancellationToken = default)
    {
        try
        {
            await writer.UpsertAsync(new UpsertRequest { Collection = "items", Document = Document("d", partitionKey, version) }, cancellationToken: cancellationToken);
            return await VersionAsync(reader, partitionKey, cancellationToken) >= version ? Outcome.Fresh : Outcome.Stale;
        }
        catch (RpcException)
        {
            return Outcome.Failed;
        }
    }

    /// <summary>The version of document <c>d</c> a Get without a caller token returns; 0 for NOT_FOUND.</summary>
    public static async Task<double> VersionAsync(DocStoreService.DocStoreServiceClient client, string partitionKey, CancellationToken cancellationToken = default)
    {
        try
        {
            var read = await client.GetAsync(new GetRequest { Collection = "items", Id = "d", PartitionKey = partitionKey }, cancellationToken: cancellationToken);
            return read.Document.Body.Fields["version"].NumberValue;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return 0;
        }
    }
}
