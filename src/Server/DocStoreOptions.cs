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

/// <summary>The embedded store (<c>DocStore:Embedded</c>).</summary>
public sealed class EmbeddedStoreOptions
{
    /// <summary>
    /// The SQLite file (<c>DocStore:Embedded:Path</c>), relative to the working directory unless
    /// rooted. Several server processes on one machine may share it. Defaults to <c>data/docstore.db</c>.
    /// </summary>
    public string Path { get; set; } = "data/docstore.db";

    /// <summary>
    /// How long a write waits for the file's write lock, held by another process sharing the file,
    /// before the call fails with UNAVAILABLE (<c>DocStore:Embedded:BusyTimeout</c>). Defaults to 5 seconds.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Simulated replica lag (<c>DocStore:Embedded:ReplicaLag</c>). Above zero, a read without a
    /// session token that requires more sees only the writes committed at least this long ago, as a
    /// lagging Cosmos DB replica would. Defaults to zero: every read sees every committed write.
    /// </summary>
    public TimeSpan ReplicaLag { get; set; } = TimeSpan.Zero;
}

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
    /// Accept any TLS certificate from the endpoint (<c>DocStore:Cosmos:AcceptAnyServerCertificate</c>);
    /// for local emulators only, and refused unless the endpoint is a loopback address.
    /// </summary>
    public bool AcceptAnyServerCertificate { get; set; }
}

/// <summary>The Redis that pods share session tokens through (<c>DocStore:Redis</c>).</summary>
public sealed class RedisOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string, e.g. <c>redis:6379,password=...</c>
    /// (<c>DocStore:Redis:Configuration</c>). Empty: no Redis.
    /// </summary>
    public string? Configuration { get; set; }
}

/// <summary>Where session tokens are shared.</summary>
public enum TokenSharing
{
    /// <summary>Through Redis, across every pod: reads see writes made through any pod.</summary>
    Redis,

    /// <summary>In this process only: right for a single instance.</summary>
    Local,

    /// <summary>Not at all: the store's own session handling decides, as the Cosmos SDK does alone (stale reads across pods).</summary>
    Off,
}

/// <summary>How session tokens are shared (<c>DocStore:SessionTokens</c>).</summary>
public sealed class SessionTokenOptions
{
    /// <summary>
    /// Where tokens are shared (<c>DocStore:SessionTokens:Sharing</c>). Defaults to
    /// <see cref="TokenSharing.Redis"/> when <c>DocStore:Redis:Configuration</c> is set, else <see cref="TokenSharing.Local"/>.
    /// </summary>
    public TokenSharing? Sharing { get; set; }

    /// <summary>How long a token lives in Redis (<c>DocStore:SessionTokens:Ttl</c>). Defaults to 10 minutes.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a call waits for Redis before going on without it (<c>DocStore:SessionTokens:RedisTimeout</c>).
    /// Defaults to 50 milliseconds.
    /// </summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long Redis is skipped after repeated failures, before one call tries it again
    /// (<c>DocStore:SessionTokens:BreakDuration</c>). Defaults to 5 seconds.
    /// </summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>The Prometheus metrics endpoint (<c>DocStore:Metrics</c>).</summary>
public sealed class MetricsOptions
{
    /// <summary>The HTTP/1.1 port that serves <c>/metrics</c> (<c>DocStore:Metrics:Port</c>). Defaults to 9090; 0 turns it off.</summary>
    public int Port { get; set; } = 9090;
}

/// <summary>Log output (<c>DocStore:Logging</c>).</summary>
public sealed class LoggingOptions
{
    /// <summary>Write one JSON object per log line (<c>DocStore:Logging:Json</c>), for log collectors.</summary>
    public bool Json { get; set; }
}

/// <summary>How the process stops on SIGTERM (<c>DocStore:Shutdown</c>).</summary>
public sealed class ShutdownOptions
{
    /// <summary>
    /// How long calls in flight at SIGTERM may run before the process exits anyway
    /// (<c>DocStore:Shutdown:GracePeriod</c>). Keep it below Kubernetes' terminationGracePeriodSeconds,
    /// less the preStop delay; the chart derives one from the other. Defaults to 25 seconds.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// How long, after SIGTERM, the server keeps accepting new calls while its readiness reports
    /// NOT_SERVING, so that load balancers that route by health checks stop sending calls first
    /// (<c>DocStore:Shutdown:DrainDelay</c>). Kubernetes needs none: the chart's preStop delay does this
    /// before SIGTERM. Defaults to zero.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;
}

/// <summary>The change feed's settings (<c>DocStore:ChangeFeed</c>).</summary>
public sealed class ChangeFeedOptions
{
    /// <summary>
    /// The longest a WatchChanges stream goes without a message: it then sends an empty one with the
    /// current continuation (<c>DocStore:ChangeFeed:HeartbeatInterval</c>). Defaults to 10 seconds.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a stream looks for changes that no signal announced: another process's writes to the
    /// embedded store, and every change on Cosmos DB (<c>DocStore:ChangeFeed:PollInterval</c>).
    /// Defaults to 250 milliseconds.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The most WatchChanges streams one process serves at once; more are RESOURCE_EXHAUSTED
    /// (<c>DocStore:ChangeFeed:MaxStreams</c>). Defaults to 1000.
    /// </summary>
    public int MaxStreams { get; set; } = 1000;
}
