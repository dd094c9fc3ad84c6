using DocStore.Server.Tests.Infrastructure;
using DocStore.Server.Tests.Query;

namespace DocStore.Server.Tests.Cosmos;

/// <summary>The contract's Query cases on the Cosmos DB store, against the Cosmos DB peer, which runs DocStore's SQL.</summary>
[Collection(CosmosPeerGroup.Name)]
public sealed class CosmosQueryTests(CosmosPeerFixture peer) : QueryTests(peer);
