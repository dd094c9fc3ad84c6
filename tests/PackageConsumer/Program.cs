// A service adopting DocStore through the DocStore.Client package: the README's five lines, then checks of
// what the server answers, then a Get through the typed client against the raw generated client.
// Usage: PackageConsumer <server address> [calls to time]. Exits 1 when a check fails.
using System.Diagnostics;
using DocStore.Client;
using DocStore.V1;

var address = new Uri(args.Length > 0 ? args[0] : "http://localhost:5000");
var timedCalls = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;

// The package README's quick start.
var builder = Host.CreateApplicationBuilder();
builder.Services.AddDocStoreClient(o => o.Address = address);
using var host = builder.Build();
var docStore = host.Services.GetRequiredService<DocStoreClient>();

var failures = 0;
void Check(bool ok, string what)
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}");
    failures += ok ? 0 : 1;
}

var id = "cart-" + Guid.NewGuid().ToString("N");
var written = await docStore.UpsertAsync("items", new Cart(id, "alice", ["apple"], Total: 3));
Check(written.ETag.StartsWith('"') && written.SessionToken.Length > 0 && written.RequestCharge > 0, $"upsert returns etag {written.ETag}, session token {written.SessionToken}, charge {written.RequestCharge}");

var cart = await docStore.GetAsync<Cart>("items", id, "alice");
Check(cart.Value.Total == 3 && cart.Value.Items.SequenceEqual(["apple"]) && cart.ETag == written.ETag, "get returns the document and its etag");
Check(docStore.GetSessionToken("items", "alice") == cart.SessionToken, "the client remembers the partition's session token");

var patched = await docStore.PatchAsync<Cart>("items", id, "alice", Patch.Increment("/total", 2).Add("/items/-", "pear"), ifMatch: cart.ETag);
Check(patched.Value.Total == 5 && patched.Value.Items.SequenceEqual(["apple", "pear"]), "patch applies increment and append");

await Expect<DocStoreNotFoundException>(() => docStore.GetAsync<Cart>("items", "absent-" + id, "alice"), e => e.Reason == "DOCUMENT_NOT_FOUND", "an absent document is DocStoreNotFoundException (DOCUMENT_NOT_FOUND)");
await Expect<DocStoreETagMismatchException>(() => docStore.UpsertAsync("items", cart.Value, ifMatch: written.ETag), e => e.Reason == "ETAG_MISMATCH", "a stale etag is DocStoreETagMismatchException");
await Expect<DocStoreInvalidArgumentException>(() => docStore.GetAsync<Cart>("items", "a/b", ""), e => e.FieldViolations.Count == 2, "bad input is DocStoreInvalidArgumentException naming both fields");
try
{
    Patch.Set("no-slash", 1);
    Check(false, "a malformed patch path is refused before sending");
}
catch (ArgumentException)
{
    Check(true, "a malformed patch path is refused before sending");
}

var raw = host.Services.GetRequiredService<DocStoreService.DocStoreServiceClient>();
var rawRead = await raw.GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = "alice" });
Check(rawRead.Document.Body.Fields["total"].NumberValue == 5, "the raw generated client reads the same document");

if (timedCalls > 0)
{
    // Interleaved, after a warm-up, over the same channel: the typed client's own cost is what differs.
    var request = new GetRequest { Collection = "items", Id = id, PartitionKey = "alice" };
    for (var i = 0; i < 200; i++)
    {
        await docStore.GetAsync<Cart>("items", id, "alice");
        await raw.GetAsync(request);
    }

    var typed = new double[timedCalls];
    var generated = new double[timedCalls];
    for (var i = 0; i < timedCalls; i++)
    {
        var start = Stopwatch.GetTimestamp();
        await docStore.GetAsync<Cart>("items", id, "alice");
        typed[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        start = Stopwatch.GetTimestamp();
        await raw.GetAsync(request);
        generated[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    Array.Sort(typed);
    Array.Sort(generated);
    static double P(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    Console.WriteLine($"get, {timedCalls} calls each: typed p50 {P(typed, 0.50):F0} us p99 {P(typed, 0.99):F0} us; raw p50 {P(generated, 0.50):F0} us p99 {P(generated, 0.99):F0} us; typed/raw p50 {P(typed, 0.50) / P(generated, 0.50):F2}, p99 {P(typed, 0.99) / P(generated, 0.99):F2}");
}

Console.WriteLine(failures == 0 ? "package consumer: all checks passed" : $"package consumer: {failures} checks failed");
return failures == 0 ? 0 : 1;

async Task Expect<TException>(Func<Task> call, Func<TException, bool> holds, string what)
    where TException : DocStoreException
{
    try
    {
        await call();
        Check(false, what + " (no exception)");
    }
    catch (TException e)
    {
        Check(holds(e) && e.InnerException is Grpc.Core.RpcException, what);
    }
}

internal sealed record Cart(string Id, string Pk, IReadOnlyList<string> Items, double Total);
