using System.Collections.Concurrent;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Http;
using Google.Apis.Json;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;

namespace Switchyard.Providers.Vertex;

/// <summary>
/// OAuth access tokens for Vertex AI, through Google.Apis.Auth: one credential per distinct credentials source (a
/// service-account JSON, other Google credentials JSON, or the metadata server), created on first use and kept, so its
/// token is minted once and reused until the library refreshes it ahead of expiry (clock: the injected TimeProvider).
/// Getting a token is bounded by the attempt's timeout; any failure comes back as a classified auth failure that names
/// the source and the token endpoint's error code, never key material.
/// </summary>
internal sealed class VertexTokens(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Lazy<ITokenAccess>> _credentials = new(StringComparer.Ordinal);
    private readonly TimeClock _clock = new(time);

    /// <summary>How many credentials were created (one per distinct source).</summary>
    public int Count => _credentials.Count;

    public async ValueTask<AttemptResult<string>> TokenAsync(DeploymentConfig d, CancellationToken timeoutToken, CancellationToken callerToken)
    {
        if (d.Vertex is not { } v)
        {
            return new UpstreamFailure(FailureKind.UpstreamAuth, null, "has no Vertex AI project or credentials");
        }

        try
        {
            var access = _credentials.GetOrAdd(v.CredentialKey, _ => new Lazy<ITokenAccess>(() => Create(v))).Value;
            var token = await access.GetAccessTokenForRequestAsync(cancellationToken: timeoutToken).WaitAsync(timeoutToken).ConfigureAwait(false);
            return string.IsNullOrEmpty(token)
                ? new UpstreamFailure(FailureKind.UpstreamAuth, null, $"got no Google access token from {v.CredentialSource}")
                : AttemptResult<string>.Ok(token);
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            return new UpstreamFailure(FailureKind.UpstreamAuth, null, $"could not get a Google access token from {v.CredentialSource} within the deployment's timeout");
        }
        catch (TokenResponseException e)
        {
            var code = e.Error?.Error is { Length: > 0 and <= 60 } c && c.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-') ? " " + c : "";
            return new UpstreamFailure(FailureKind.UpstreamAuth, null,
                $"could not get a Google access token from {v.CredentialSource}: the token endpoint answered {(e.StatusCode is { } s ? ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture) : "an error")}{code}")
            {
                UpstreamCode = "vertex_token_refused",
            };
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException or ArgumentException
            or System.Security.Cryptography.CryptographicException or Newtonsoft.Json.JsonException or FormatException)
        {
            callerToken.ThrowIfCancellationRequested();
            return new UpstreamFailure(FailureKind.UpstreamAuth, null, $"could not get a Google access token from {v.CredentialSource} ({e.GetType().Name})")
            {
                UpstreamCode = "vertex_token_unavailable",
            };
        }
    }

    private ITokenAccess Create(VertexSettings v)
    {
        if (v.CredentialsJson is not { } json)
        {
            // The metadata server of GCE, GKE, Cloud Run: its host from GCE_METADATA_HOST (read at load), as Google's libraries do.
            return new ComputeCredential(new ComputeCredential.Initializer($"http://{v.MetadataHost}/computeMetadata/v1/instance/service-accounts/default/token")
            {
                Clock = _clock,
                DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
            });
        }

        var p = NewtonsoftJsonSerializer.Instance.Deserialize<JsonCredentialParameters>(json);
        if (p.Type == JsonCredentialParameters.ServiceAccountCredentialType)
        {
            var initializer = new ServiceAccountCredential.Initializer(p.ClientEmail, p.TokenUri is { Length: > 0 } uri ? uri : GoogleAuthConsts.OidcTokenUrl)
            {
                ProjectId = p.ProjectId,
                KeyId = p.PrivateKeyId,
                Scopes = [VertexSettings.Scope],
                Clock = _clock,
                DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
            }.FromPrivateKey(p.PrivateKey);
            return new ServiceAccountCredential(initializer);
        }

        // authorized_user (gcloud auth application-default login), external_account (workload identity federation)
        return CredentialFactory.FromJson<GoogleCredential>(json).CreateScoped(VertexSettings.Scope);
    }

    /// <summary>Google's clock over the injected TimeProvider, so token expiry follows the gateway's time.</summary>
    private sealed class TimeClock(TimeProvider time) : Google.Apis.Util.IClock
    {
        public DateTime Now => time.GetLocalNow().DateTime;

        public DateTime UtcNow => time.GetUtcNow().UtcDateTime;
    }
}
