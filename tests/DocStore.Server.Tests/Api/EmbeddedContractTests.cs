using DocStore.Server.Tests.Infrastructure;

namespace DocStore.Server.Tests.Api;

/// <summary>The contract's Upsert and Get cases on the embedded store.</summary>
public sealed class EmbeddedUpsertAndGetTests(InProcessServer server) : UpsertAndGetTests(server), IClassFixture<InProcessServer>;

/// <summary>The contract's Patch cases on the embedded store.</summary>
public sealed class EmbeddedPatchTests(InProcessServer server) : PatchTests(server), IClassFixture<InProcessServer>;

/// <summary>The contract's decoding cases on the embedded store.</summary>
public sealed class EmbeddedRequestDecodingTests(InProcessServer server) : RequestDecodingTests(server), IClassFixture<InProcessServer>;

/// <summary>The contract's Create, Replace, Delete, ReadMany and ExecuteBatch cases on the embedded store.</summary>
public sealed class EmbeddedWritesTests(InProcessServer server) : WritesTests(server), IClassFixture<InProcessServer>;

/// <summary>The contract's body-format cases on the embedded store.</summary>
public sealed class EmbeddedBodyFormatTests(InProcessServer server) : BodyFormatTests(server), IClassFixture<InProcessServer>;
