using System.Text.Json.Serialization;
using Switchyard.Core.Tenancy;

namespace Switchyard.Tenancy.Journal;

/// <summary>A journal frame's payload: one spend record as compact JSON (readable with <c>strings</c> when it matters).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SpendRecord))]
internal sealed partial class JournalJson : JsonSerializerContext;
