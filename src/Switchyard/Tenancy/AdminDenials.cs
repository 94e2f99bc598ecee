using Switchyard.Core.Failures;

namespace Switchyard.Tenancy;

/// <summary>
/// The refusals of a tenant admin (an admin token bound to a tenant). Each is decided before anything is looked up,
/// so the answer is the same whether the other tenant exists or not.
/// </summary>
internal static class AdminDenials
{
    public const string GlobalAdminRequiredCode = "global_admin_required";
    public const string OutsideTenantCode = "outside_tenant";

    /// <summary>A route that changes tenants or the whole gateway (teams, config reload, promotions).</summary>
    public static FailureSummary GlobalAdminRequired(CallerIdentity caller, string what) => new()
    {
        Status = 403,
        Type = FailureType.PermissionDenied,
        Code = GlobalAdminRequiredCode,
        Message = $"{what} needs a global admin (the master key or an admin token without a tenant); this token administers tenant '{caller.TenantId}' only",
    };

    /// <summary>A team other than the caller's own named in a request (to create or move a key, list keys, read a team or its spend).</summary>
    public static FailureSummary OutsideTenant(CallerIdentity caller, string param) => new()
    {
        Status = 403,
        Type = FailureType.PermissionDenied,
        Code = OutsideTenantCode,
        Param = param,
        Message = $"this token administers tenant '{caller.TenantId}' only; leave '{param}' out or set it to '{caller.TenantId}'",
    };
}
