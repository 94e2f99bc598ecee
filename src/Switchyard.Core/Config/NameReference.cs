using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

internal enum NameReferenceKind
{
    /// <summary>An alias (<see cref="NameReference.Name"/>) pointing to a group (<see cref="NameReference.Target"/>).</summary>
    Alias,

    /// <summary>The name a fallback chain starts from.</summary>
    FallbackSource,

    /// <summary>A name in a fallback chain or in default_fallbacks.</summary>
    FallbackTarget,

    /// <summary>A deployment's id (model_info.id or derived).</summary>
    DeploymentId,

    /// <summary>litellm_settings.default_model: the group or alias a request for an unknown model goes to.</summary>
    DefaultModel,
}

/// <summary>A name written in the config file and where, so errors found after reading everything still point at a line.</summary>
internal sealed record NameReference(NameReferenceKind Kind, string Path, YamlNode Node, string Name, string? Target);
