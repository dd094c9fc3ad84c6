namespace DocStore.Server;

/// <summary>The stores DocStore can run on.</summary>
public enum StoreKind
{
    /// <summary>A SQLite file with Cosmos DB's semantics; the default, for development and tests.</summary>
    Embedded,

    /// <summary>Azure Cosmos DB (NoSQL API).</summary>
    Cosmos,
}

/// <summary>DocStore's settings, bound from the <c>DocStore</c> configuration section.</summary>
public sealed class DocStoreOptions
{
    /// <summary>The configuration section: <c>DocStore</c>.</summary>
    public const string SectionName = "DocStore";

    /// <summary>The collection configured when none is: <c>items</c>, partitioned by <c>/pk</c>.</summary>
    public const string DefaultCollection = "items";

    /// <summary>Which store serves the documents (<c>DocStore:Store</c>). Defaults to <see cref="StoreKind.Embedded"/>.</summary>
    public StoreKind Store { get; set; } = StoreKind.Embedded;

    /// <summary>
    /// The collections callers may use, by name (<c>DocStore:Collections:&lt;name&gt;</c>). Names are
    /// case-sensitive. Defaults to one collection, <c>items</c>, partitioned by <c>/pk</c>.
    /// </summary>
    public Dictionary<string, CollectionOptions> Collections { get; } = new(StringComparer.Ordinal);

    /// <summary>The embedded store's settings (<c>DocStore:Embedded</c>).</summary>
    public EmbeddedStoreOptions Embedded { get; set; } = new();

    /// <summary>The Cosmos DB account (<c>DocStore:Cosmos</c>), used when <see cref="Store"/> is <see cref="StoreKind.Cosmos"/>.</summary>
    public CosmosStoreOptions Cosmos { get; set; } = new();

    /// <summary>The Redis that pods share session tokens through (<c>DocStore:Redis</c>).</summary>
    public RedisOptions Redis { get; set; } = new();

    /// <summary>How session tokens are shared between pods (<c>DocStore:SessionTokens</c>).</summary>
    public SessionTokenOptions SessionTokens { get; set; } = new();

    /// <summary>The Prometheus metrics endpoint (<c>DocStore:Metrics</c>).</summary>
    public MetricsOptions Metrics { get; set; } = new();

    /// <summary>Log output (<c>DocStore:Logging</c>).</summary>
    public LoggingOptions Logging { get; set; } = new();

    /// <summary>How the process stops on SIGTERM (<c>DocStore:Shutdown</c>).</summary>
    public ShutdownOptions Shutdown { get; set; } = new();

    /// <summary>The change feed's settings (<c>DocStore:ChangeFeed</c>).</summary>
    public ChangeFeedOptions ChangeFeed { get; set; } = new();

    /// <summary>Caller identity and permissions (<c>DocStore:Auth</c>).</summary>
    public Security.AuthOptions Auth { get; set; } = new();

    /// <summary>The gRPC port's TLS certificate (<c>DocStore:Tls</c>).</summary>
    public Security.TlsOptions Tls { get; set; } = new();

    /// <summary>The plaintext health port for probes when TLS is on (<c>DocStore:Health</c>).</summary>
    public Security.HealthOptions Health { get; set; } = new();
}

/// <summary>One collection (<c>DocStore:Collections:&lt;name&gt;</c>).</summary>
public sealed class CollectionOptions
{
    /// <summary>
    /// The partition key path, a JSON Pointer such as <c>/pk</c> or <c>/tenant/id</c>
    /// (<c>DocStore:Collections:&lt;name&gt;:PartitionKeyPath</c>). Required.
    /// </summary>
    public string? PartitionKeyPath { get; set; }

    /// <summary>
    /// The store's name for the collection: the Cosmos DB container
    /// (<c>DocStore:Collections:&lt;name&gt;:Container</c>). Defaults to the collection's name.
    /// </summary>
    public string? Container { get; set; }

    /// <summary>
    /// Whether a query may span every partition (<c>DocStore:Collections:&lt;name&gt;:AllowCrossPartitionQuery</c>).
    /// Such a query fans out to every physical partition on Cosmos DB. Defaults to false.
    /// </summary>
    public bool AllowCrossPartitionQuery { get; set; }
}
