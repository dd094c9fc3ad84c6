// Native AOT use of DocStore.Client: documents through a source-generated JsonSerializerContext, both through the
// generic methods (the context is the options' resolver) and the JsonTypeInfo<T> overloads, registered through DI.
// Usage: AotConsumer <server address>. Exits non-zero when a result is not the expected one.
using System.Text.Json;
using System.Text.Json.Serialization;
using DocStore.Client;
using Microsoft.Extensions.DependencyInjection;

var address = new Uri(args.Length > 0 ? args[0] : "http://localhost:5000");
var services = new ServiceCollection();
services.AddDocStoreClient(o =>
{
    o.Address = address;
    o.JsonSerializerOptions = new JsonSerializerOptions(AotJson.Default.Options);
});
await using var provider = services.BuildServiceProvider();
var docStore = provider.GetRequiredService<DocStoreClient>();

var failures = 0;
void Check(bool ok, string what)
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}");
    failures += ok ? 0 : 1;
}

var id = "aot-" + Guid.NewGuid().ToString("N");
var written = await docStore.UpsertAsync("items", new Cart(id, "aot", ["book"], 2));
Check(written.Value.Total == 2, "upsert (generic, resolver from the options)");

var read = await docStore.GetAsync("items", id, "aot", AotJson.Default.Cart);
Check(read.Value.Items.SequenceEqual(["book"]) && read.ETag == written.ETag, "get (JsonTypeInfo<T>)");

var patched = await docStore.PatchAsync<Cart>("items", id, "aot", Patch.Increment("/total", 3).Add("/items/-", "pen"), condition: DocumentFilter.Equal("/pk", "aot"));
Check(patched.Value.Total == 5 && patched.Value.Items.Count == 2, "patch with a condition");

var found = new List<Cart>();
await foreach (var document in docStore.QueryAsync("items", "aot", AotJson.Default.Cart, DocumentFilter.GreaterThan("/total", 4)))
{
    found.Add(document.Value);
}

Check(found.Any(c => c.Id == id), "query");

var batch = await docStore.Batch("items", "aot").Create(new Cart(id + "-b", "aot", [], 1), AotJson.Default.Cart).Read(id).ExecuteAsync();
Check(batch.GetDocument(1, AotJson.Default.Cart)!.Total == 5, "batch");

var many = await docStore.ReadManyAsync<Cart>("items", [(id, "aot"), ("absent", "aot")]);
Check(many.Documents.Count == 1 && many.Missing.Count == 1, "read many");

try
{
    await docStore.GetAsync<Cart>("items", "absent", "aot", new DocStoreCallOptions { Timeout = TimeSpan.FromSeconds(5) });
    Check(false, "a missing document throws");
}
catch (DocStoreNotFoundException e)
{
    Check(e.Reason == DocStoreErrorReasons.DocumentNotFound, "a missing document throws DocStoreNotFoundException");
}

await docStore.DeleteAsync("items", id, "aot");
await docStore.DeleteAsync("items", id + "-b", "aot");
Console.WriteLine(failures == 0 ? "AOT consumer: all checks passed" : $"AOT consumer: {failures} checks failed");
return failures == 0 ? 0 : 1;

internal sealed record Cart(string Id, string Pk, List<string> Items, double Total);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Cart))]
internal sealed partial class AotJson : JsonSerializerContext;
