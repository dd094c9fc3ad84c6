using DocStore.V1;
using Grpc.Net.Client;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>
/// A DocStore server that the store-agnostic contract tests run against, with collections
/// <c>items</c> (<c>/pk</c>) and <c>orders</c> (<c>/customer/id</c>).
/// </summary>
public interface IContractServer
{
    /// <summary>The store behind the server: <c>Embedded</c> or <c>Cosmos</c>.</summary>
    string Store { get; }

    GrpcChannel Channel { get; }

    DocStoreService.DocStoreServiceClient Client { get; }

    /// <summary>The document's JSON exactly as the store holds it, read around DocStore.</summary>
    Task<string> ReadStoredJsonAsync(string collection, string id, string partitionKey);
}
