using System.Security;

namespace OutlookFollowUp.Api.Pane;

/// <summary>
/// The Outlook add-in manifest (XML, MailApp, schema 1.1 with VersionOverrides 1.1), rendered from the add-in's
/// description: every URL in it comes from the host, so development and deployment differ by one argument. Outlook on
/// Mac, mobile and perpetual Office take this one; <see cref="UnifiedManifest"/> is the same add-in for Microsoft 365.
/// </summary>
public static class Manifest
{
    /// <summary>What a development manifest carries until the app is registered in Entra ID.</summary>
    public const string UnregisteredClientId = "00000000-0000-0000-0000-000000000000";

    public const string DevelopmentHost = "https://localhost:5001";

    /// <summary>The add-in as the committed manifests describe it: localhost, no app registration yet.</summary>
    public static AddinDescription Development => new(new Uri(DevelopmentHost), UnregisteredClientId);

    /// <summary>The manifest for the pane at <paramref name="host"/>, signing in with the app registration <paramref name="clientId"/>.</summary>
    public static string Render(Uri host, string clientId, string? resource = null) => Render(new AddinDescription(host, clientId, resource));

    public static string Render(AddinDescription addin)
    {
        string E(string text) => SecurityElement.Escape(text)!;
        var origin = E(addin.Origin);
        var sizes = string.Join("\n", AddinDescription.ButtonIconSizes.Select(s => $"""          <bt:Image id="Icon.{s}" DefaultValue="{E(addin.Icon(s))}"/>"""));
        var surfaces = string.Join("\n", AddinDescription.Surfaces.Select(s => $"""
                        <ExtensionPoint xsi:type="{s.XmlExtensionPoint}">
            {Group(s)}
                        </ExtensionPoint>
            """));
        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- Written for {origin} by the service's manifest command (README: The add-in); edit api/Pane/AddinDescription.cs, not this file. -->
            <OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
                       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                       xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0"
                       xsi:type="MailApp">
              <Id>{AddinDescription.Id}</Id>
              <Version>{AddinDescription.Version}.0</Version>
              <ProviderName>{AddinDescription.Name}</ProviderName>
              <DefaultLocale>en-US</DefaultLocale>
              <DisplayName DefaultValue="{AddinDescription.Name}"/>
              <Description DefaultValue="{E(AddinDescription.LongDescription)}"/>
              <IconUrl DefaultValue="{E(addin.Icon(64))}"/>
              <HighResolutionIconUrl DefaultValue="{E(addin.Icon(128))}"/>
              <SupportUrl DefaultValue="{E(addin.SupportUrl)}"/>
              <AppDomains>
                <AppDomain>{origin}</AppDomain>
                <AppDomain>https://login.microsoftonline.com</AppDomain>
              </AppDomains>
              <Hosts>
                <Host Name="Mailbox"/>
              </Hosts>
              <Requirements>
                <Sets>
                  <Set Name="Mailbox" MinVersion="1.1"/>
                </Sets>
              </Requirements>
              <FormSettings>
                <Form xsi:type="ItemRead">
                  <DesktopSettings>
                    <SourceLocation DefaultValue="{E(addin.TaskPane)}"/>
                    <RequestedHeight>300</RequestedHeight>
                  </DesktopSettings>
                </Form>
              </FormSettings>
              <Permissions>{AddinDescription.XmlPermission}</Permissions>
              <Rule xsi:type="RuleCollection" Mode="Or">
                <Rule xsi:type="ItemIs" ItemType="Message" FormType="Read"/>
                <Rule xsi:type="ItemIs" ItemType="Appointment" FormType="Read"/>
              </Rule>
              <DisableEntityHighlighting>false</DisableEntityHighlighting>
              <VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides" xsi:type="VersionOverridesV1_0">
                <VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides/1.1" xsi:type="VersionOverridesV1_1">
                  <Requirements>
                    <bt:Sets DefaultMinVersion="{AddinDescription.MailboxMinVersion}">
                      <bt:Set Name="Mailbox"/>
                    </bt:Sets>
                  </Requirements>
                  <Hosts>
                    <Host xsi:type="MailHost">
                      <DesktopFormFactor>
            {surfaces}
                      </DesktopFormFactor>
                    </Host>
                  </Hosts>
                  <Resources>
                    <bt:Images>
            {sizes}
                    </bt:Images>
                    <bt:Urls>
                      <bt:Url id="Pane.Url" DefaultValue="{E(addin.TaskPane)}"/>
                    </bt:Urls>
                    <bt:ShortStrings>
                      <bt:String id="Group.Label" DefaultValue="{AddinDescription.Name}"/>
                      <bt:String id="Button.Label" DefaultValue="{E(AddinDescription.ButtonLabel)}"/>
                    </bt:ShortStrings>
                    <bt:LongStrings>
                      <bt:String id="Button.Tooltip" DefaultValue="{E(AddinDescription.ButtonTooltip)}"/>
                    </bt:LongStrings>
                  </Resources>
                  <WebApplicationInfo>
                    <Id>{E(addin.ClientId)}</Id>
                    <Resource>{E(addin.ApplicationIdUri)}</Resource>
                    <Scopes>
                      <Scope>openid</Scope>
                      <Scope>profile</Scope>
                    </Scopes>
                  </WebApplicationInfo>
                </VersionOverrides>
              </VersionOverrides>
            </OfficeApp>

            """;
    }

    private static string Group(AddinDescription.Surface surface) => $"""
                          <OfficeTab id="TabDefault">
                            <Group id="Group.{surface.Name}">
                              <Label resid="Group.Label"/>
                              <Control xsi:type="Button" id="Button.{surface.Name}">
                                <Label resid="Button.Label"/>
                                <Supertip>
                                  <Title resid="Button.Label"/>
                                  <Description resid="Button.Tooltip"/>
                                </Supertip>
                                <Icon>
            {string.Join("\n", AddinDescription.ButtonIconSizes.Select(s => $"""                      <bt:Image size="{s}" resid="Icon.{s}"/>"""))}
                                </Icon>
                                <Action xsi:type="ShowTaskpane">
                                  <SourceLocation resid="Pane.Url"/>{(surface.Pinnable ? "\n                      <SupportsPinning>true</SupportsPinning>" : "")}
                                </Action>
                              </Control>
                            </Group>
                          </OfficeTab>
            """;
}
