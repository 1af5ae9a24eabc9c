using System.Text.Json;

namespace AzNf.Infra.Tests;

[Collection(CompiledMainTemplateCollection.Name)]
public sealed class RoleAssignmentTests(CompiledMainTemplate compiled)
{
    // Built-in role definition ids (the same in every tenant) and the resource type each must be
    // scoped to.
    private static readonly Dictionary<string, string> s_expectedRoleScopes = new()
    {
        ["a638d3c7-ab3a-418d-83e6-5f17a39d4fde"] = "Microsoft.EventHub/namespaces/eventhubs", // Azure Event Hubs Data Receiver
        ["2b629674-e913-4c01-ae53-ef4638d8f975"] = "Microsoft.EventHub/namespaces/eventhubs", // Azure Event Hubs Data Sender
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Microsoft.Storage/storageAccounts", // Storage Blob Data Owner
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Microsoft.Storage/storageAccounts", // Storage Queue Data Contributor
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Microsoft.Storage/storageAccounts", // Storage Table Data Contributor
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Microsoft.Insights/components", // Monitoring Metrics Publisher
    };

    private static readonly string[] s_forbiddenRoles =
    [
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", // Owner
        "b24988ac-6180-42a0-ab88-20f7382dd24c", // Contributor
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", // User Access Administrator
        "17d1049b-9a84-46fb-8f53-869881c3d3ab", // Storage Account Contributor (can list keys)
        "f526a384-b230-433a-b45c-95f59c4a2dec", // Azure Event Hubs Data Owner
    ];

    private IReadOnlyList<ArmResource> Assignments => compiled.Template.OfType("Microsoft.Authorization/roleAssignments");

    [Fact]
    public void RoleAssignments_AppIdentity_HoldExactlyTheLeastPrivilegeRolesAsServicePrincipal()
    {
        ArmResource identity = compiled.Template.Single("Microsoft.ManagedIdentity/userAssignedIdentities");
        var forApp = Assignments
            .Where(assignment => ArmTemplate.Resolve(assignment, "properties.principalId").Value.GetString() is { } principal
                && principal.Contains($"'{identity.Scope.ModuleName}'", StringComparison.Ordinal)
                && principal.EndsWith(".outputs.principalId.value]", StringComparison.Ordinal))
            .ToList();

        var roles = forApp.Select(RoleId).ToList();
        var principalTypes = forApp.Select(assignment => ArmTemplate.Resolve(assignment, "properties.principalType").Value.GetString()).ToList();

        Assert.Equal(s_expectedRoleScopes.Keys.Order(), roles.Distinct().Order());
        Assert.All(principalTypes, principalType => Assert.Equal("ServicePrincipal", principalType));
    }

    [Fact]
    public void RoleAssignments_OutputHubs_AppSendsToEachNamedOneAndNoOther()
    {
        const string Sender = "2b629674-e913-4c01-ae53-ef4638d8f975";
        var loops = Assignments.Where(a => a.Element.TryGetProperty("copy", out _)).ToList();

        Assert.NotEmpty(loops);
        Assert.All(loops, loop =>
        {
            Assert.Equal(Sender, RoleId(loop));
            Assert.Equal("[not(empty(parameters('outputHubNames')[copyIndex()]))]", loop.Element.GetProperty("condition").GetString());
            Assert.Equal("[length(parameters('outputHubNames'))]", loop.Element.GetProperty("copy").GetProperty("count").GetString());
            // One hub per assignment: the scope names the hub of this iteration.
            Assert.Contains("parameters('outputHubNames')[copyIndex()]", loop.Element.GetProperty("scope").GetString(), StringComparison.Ordinal);
        });
        // The app's module gets the egress and alerts hubs; the developer's none.
        JsonElement Parameters(string module) => loops.Single(l => l.Scope.ModuleName == module).Scope.Deployment!.Value.GetProperty("properties").GetProperty("parameters");
        var appParameters = Parameters("rbac-app");
        string names = appParameters.GetProperty("outputHubNames").GetProperty("value").GetRawText();
        Assert.Contains("egressHubName", names, StringComparison.Ordinal);
        Assert.Contains("alertsHubName", names, StringComparison.Ordinal);
        var developerParameters = Parameters("rbac-developer");
        Assert.False(developerParameters.TryGetProperty("outputHubNames", out _));
    }

    [Fact]
    public void RoleAssignments_Every_IsScopedToTheResourceItsRoleIsFor()
    {
        var scopes = Assignments.Select(assignment => (Role: RoleId(assignment), Scope: assignment.Element.TryGetProperty("scope", out JsonElement scope) ? scope.GetString() : null)).ToList();

        Assert.NotEmpty(scopes);
        Assert.All(scopes, assignment =>
        {
            Assert.True(s_expectedRoleScopes.ContainsKey(assignment.Role), $"unexpected role {assignment.Role}");
            Assert.NotNull(assignment.Scope);
            Assert.StartsWith($"[resourceId('{s_expectedRoleScopes[assignment.Role]}', ", assignment.Scope, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void RoleAssignments_Anywhere_GrantNoOwnerContributorOrKeyRole()
    {
        string json = compiled.Template.Json;

        var found = s_forbiddenRoles.Where(role => json.Contains(role, StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.Empty(found);
    }

    [Fact]
    public void RoleAssignments_DeveloperPrincipal_IsOptionalAndTypedByParameter()
    {
        var developer = Assignments
            .Where(assignment => ArmTemplate.Resolve(assignment, "properties.principalId").Value.GetString() == "[parameters('principalId')]")
            .ToList();

        var principalTypes = developer.Select(assignment => ArmTemplate.Resolve(assignment, "properties.principalType").Value.GetString()).Distinct().ToList();
        string? condition = developer.Count > 0 && developer[0].Scope.Deployment is { } deployment && deployment.TryGetProperty("condition", out JsonElement when) ? when.GetString() : null;

        Assert.Equal(["[parameters('principalType')]"], principalTypes);
        Assert.Equal("[not(empty(parameters('principalId')))]", condition);
        Assert.Equal(JsonValueKind.String, compiled.Template.Parameter("principalId").GetProperty("defaultValue").ValueKind);
        Assert.Equal("", compiled.Template.Parameter("principalId").GetProperty("defaultValue").GetString());
    }

    // The role definition GUID of an assignment, read from the expression or the variable it uses.
    private static string RoleId(ArmResource assignment)
    {
        string expression = assignment.Properties.GetProperty("roleDefinitionId").GetString()!;
        string? fromVariable = ArmTemplate.VariableMember(expression, assignment.Scope);
        string text = fromVariable ?? expression;
        var guid = System.Text.RegularExpressions.Regex.Match(text, "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
        return guid.Success ? guid.Value.ToLowerInvariant() : throw new InvalidOperationException("no role GUID in " + expression);
    }
}
