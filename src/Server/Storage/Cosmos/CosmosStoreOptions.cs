// The settings types are public and keep the project's root namespace, as DocStoreOptions does;
// their files sit beside the part that uses them, with that part's validator.
namespace DocStore.Server;

/// <summary>How the Cosmos SDK connects to the service.</summary>
public enum CosmosConnectionMode
{
    /// <summary>TCP straight to the replicas; the production default.</summary>
    Direct,

    /// <summary>HTTPS through the gateway; for emulators and restrictive networks.</summary>
    Gateway,
}

/// <summary>The Cosmos DB account (<c>DocStore:Cosmos</c>).</summary>
public sealed class CosmosStoreOptions
{
    /// <summary>The account endpoint, e.g. <c>https://myaccount.documents.azure.com:443/</c> (<c>DocStore:Cosmos:Endpoint</c>).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// The account key (<c>DocStore:Cosmos:Key</c>). Empty: authenticate with Microsoft Entra ID
    /// through Azure.Identity's default credential (workload identity in Kubernetes).
    /// </summary>
    public string? Key { get; set; }

    /// <summary>The database that holds the containers (<c>DocStore:Cosmos:Database</c>).</summary>
    public string? Database { get; set; }

    /// <summary>How the SDK connects (<c>DocStore:Cosmos:ConnectionMode</c>). Defaults to <see cref="CosmosConnectionMode.Direct"/>.</summary>
    public CosmosConnectionMode ConnectionMode { get; set; } = CosmosConnectionMode.Direct;

    /// <summary>Regions to prefer, nearest first (<c>DocStore:Cosmos:PreferredRegions:0</c>, ...).</summary>
    public IList<string> PreferredRegions { get; } = [];

    /// <summary>Create the database and containers when missing (<c>DocStore:Cosmos:CreateIfNotExists</c>); for development.</summary>
    public bool CreateIfNotExists { get; set; }

    /// <summary>
    /// Cosmos DB calls slower than this log the SDK's diagnostics at Warning (faster ones at Debug)
    /// (<c>DocStore:Cosmos:DiagnosticsThreshold</c>). Defaults to 1 second.
    /// </summary>
    public TimeSpan DiagnosticsThreshold { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Accept any TLS certificate from the endpoint (<c>DocStore:Cosmos:AcceptAnyServerCertificate</c>);
    /// for local emulators only, and refused unless the endpoint is a loopback address.
    /// </summary>
    public bool AcceptAnyServerCertificate { get; set; }
}
