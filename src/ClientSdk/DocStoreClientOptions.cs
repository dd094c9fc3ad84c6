using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Core;

namespace DocStore.Client;

/// <summary>Settings of a <see cref="DocStoreClient"/> and of the channel that <c>AddDocStoreClient</c> registers.</summary>
public sealed class DocStoreClientOptions
{
    /// <summary>
    /// The server's address: <c>http://host:port</c> for one endpoint, or <c>dns:///host:port</c> (a
    /// Kubernetes headless Service) to resolve every pod and balance calls across them round-robin.
    /// Required by <c>AddDocStoreClient</c>; refused by <see cref="DocStoreClient.Create"/>, whose channel has its own.
    /// Defaults to none.
    /// </summary>
    public Uri? Address { get; set; }

    /// <summary>
    /// The deadline of a call that does not set its own (<see cref="DocStoreCallOptions.Timeout"/>). Defaults to 10 seconds;
    /// <see cref="Timeout.InfiniteTimeSpan"/> sets none.
    /// </summary>
    public TimeSpan DefaultDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many times in all a Get, ReadMany, Upsert or Replace is attempted when the server or the transport answers
    /// UNAVAILABLE, with exponential back-off (100 ms doubling to 2 s, randomized) within the call's one deadline.
    /// Create, Delete, Patch and batches are never retried: a create or delete that was applied would fail on its
    /// retry, and an increment or an array append applied twice would be wrong. 1 to 5 (gRPC's limit); 1 turns retries
    /// off. Defaults to 4.
    /// </summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>How long a connection may be idle before the client pings the server to keep it open. Defaults to 60 seconds.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the client waits for a keep-alive ping's answer before it closes the connection. Defaults to 30 seconds.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How documents are converted to and from JSON. Defaults to <see cref="JsonSerializerDefaults.Web"/>
    /// (camelCase property names, case-insensitive reads), so a <c>Id</c> property maps to the <c>id</c> field.
    /// </summary>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// How documents travel: as the JSON <see cref="JsonSerializerOptions"/> writes, read straight from
    /// the response's bytes (<see cref="DocumentBodyFormat.Json"/>), or as <c>google.protobuf.Struct</c>
    /// (<see cref="DocumentBodyFormat.Struct"/>, for servers older than the JSON fields). Defaults to
    /// <see cref="DocumentBodyFormat.Json"/>.
    /// </summary>
    public DocumentBodyFormat BodyFormat { get; set; } = DocumentBodyFormat.Json;

    /// <summary>
    /// Remember the newest session token per (collection, partition key) seen in responses, and send it
    /// on Gets, so this client reads its own writes through any server instance. Defaults to true.
    /// </summary>
    public bool TrackSessionTokens { get; set; } = true;

    /// <summary>
    /// How many (collection, partition key) pairs the session tokens are remembered for; past it, the
    /// least recently written ones are forgotten. Defaults to 10,000.
    /// </summary>
    public int SessionTokenCapacity { get; set; } = 10_000;

    /// <summary>
    /// The identity the client calls with, e.g. <c>DefaultAzureCredential</c> or <c>WorkloadIdentityCredential</c> (servers with
    /// <c>DocStore:Auth:Mode=Jwt</c>). Its tokens for <see cref="Scopes"/> go in each call's <c>authorization</c> header, through
    /// gRPC call credentials, and are reused until 5 minutes before they expire. Requires an <c>https://</c> address unless
    /// <see cref="AllowInsecureCredentials"/> is set. Defaults to none.
    /// </summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>The scopes <see cref="Credential"/>'s tokens are requested for, e.g. <c>api://docstore/.default</c>. Required with a credential.</summary>
    public IList<string> Scopes { get; } = [];

    /// <summary>The client certificate (with its private key) for servers with <c>DocStore:Auth:Mode=Certificate</c> (mTLS). Defaults to none.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>
    /// Send <see cref="Credential"/>'s tokens over a plaintext (<c>http://</c>) channel, for local tests only. Without it, a
    /// credential with an <c>http://</c> address is refused when the client is created. Defaults to false.
    /// </summary>
    public bool AllowInsecureCredentials { get; set; }
}
