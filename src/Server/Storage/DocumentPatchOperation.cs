using System.Text.Json.Nodes;

namespace DocStore.Server.Storage;

/// <summary>
/// One validated partial-update operation. <see cref="Value"/> holds the value for set, add and
/// replace (<see langword="null"/> stands for JSON null) and the amount for increment;
/// <see cref="From"/> is set for move only.
/// </summary>
internal sealed record DocumentPatchOperation(PatchOperationKind Kind, JsonPointer Path, JsonNode? Value = null, JsonPointer? From = null);
