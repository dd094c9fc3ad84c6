using DocStore.Server.Tests.Infrastructure;
using DocStore.Server.Tests.Query;

namespace DocStore.Server.Tests.Cosmos;

/// <summary>
/// The change feed cases on the Cosmos DB store: the SDK's pull-model change feed against the patched peer's
/// (documents in LSN order, If-None-Match continuations, 304 when nothing is new).
/// </summary>
[Collection(CosmosPeerGroup.Name)]
public sealed class CosmosChangeFeedTests(CosmosPeerFixture peer) : ChangeFeedTests(peer)
{
    /// <summary>The SDK sends a start time as an HTTP date (If-Modified-Since), to the second.</summary>
    protected override TimeSpan StartTimeResolution => TimeSpan.FromMilliseconds(1100);
}
