namespace DocStore.Testing;

/// <summary>Settings of a <see cref="DocStoreTestHost"/>: its collections, its replica lag and any other server setting.</summary>
public sealed class DocStoreTestHostOptions
{
    private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _collections = [];

    /// <summary>
    /// Simulated replica lag of the embedded store (<c>DocStore:Embedded:ReplicaLag</c>): above zero, a read that carries
    /// no session token may see a document as it was up to this long ago, as a lagging Cosmos DB replica would, so that a
    /// service can test its own behaviour under stale reads. Zero to 10 minutes. Defaults to zero.
    /// </summary>
    public TimeSpan ReplicaLag { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How many server instances to run over the one store file, as pods behind a Service: 1 to 8. With two or more
    /// and a <see cref="ReplicaLag"/>, a write through one instance and a read without its session token through
    /// another can be stale, as in production without shared session tokens; a client that carries the write's token
    /// reads it. Each instance remembers the tokens of its own writes, so one instance alone always reads them.
    /// Defaults to 1.
    /// </summary>
    public int Instances { get; set; } = 1;

    /// <summary>The collections added with <see cref="Collection"/>, in order.</summary>
    public IReadOnlyList<string> Collections => _collections;

    /// <summary>
    /// Server settings by configuration key, such as <c>DocStore:Collections:orders:Deletes</c> or
    /// <c>DocStore:ChangeFeed:MaxStreams</c> (docs/configuration.md of DocStore names them). The host reads no file and
    /// no environment variable, so a test sees only what it sets. Defaults to none.
    /// </summary>
    public IDictionary<string, string?> Settings => _settings;

    /// <summary>
    /// Adds a collection. Without any, the host serves the server's default collection, <c>items</c> with <c>/pk</c>.
    /// </summary>
    /// <param name="name">The collection's name, as calls give it.</param>
    /// <param name="partitionKeyPath">Its partition key path, such as <c>/customerId</c>.</param>
    /// <param name="allowCrossPartitionQuery">Whether a query may span partitions. Defaults to false, as on the server.</param>
    /// <returns>These options, to add more.</returns>
    public DocStoreTestHostOptions Collection(string name, string partitionKeyPath, bool allowCrossPartitionQuery = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(partitionKeyPath);
        if (_collections.Contains(name, StringComparer.Ordinal))
        {
            throw new ArgumentException($"The collection '{name}' is already added.", nameof(name));
        }

        _collections.Add(name);
        _settings[$"DocStore:Collections:{name}:PartitionKeyPath"] = partitionKeyPath;
        _settings[$"DocStore:Collections:{name}:AllowCrossPartitionQuery"] = allowCrossPartitionQuery ? "true" : "false";
        return this;
    }
}
