// The settings types are public and keep the project's root namespace, as DocStoreOptions does;
// their files sit beside the part that uses them, with that part's validator.
namespace DocStore.Server;

/// <summary>The Redis that pods share session tokens through (<c>DocStore:Redis</c>).</summary>
public sealed class RedisOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string, e.g. <c>redis:6379,password=...</c>
    /// (<c>DocStore:Redis:Configuration</c>). Empty: no Redis.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// A PEM file of the CAs that sign the Redis server's TLS certificate (<c>DocStore:Redis:TrustedCaPath</c>), for a
    /// Redis whose certificate the machine does not trust (a private CA). The certificate must then chain to one of
    /// these and name the host connected to; the configuration must say <c>ssl=true</c>. Empty: the machine's roots.
    /// </summary>
    public string? TrustedCaPath { get; set; }
}
