using System.Security;

namespace OutlookFollowUp.Api.Pane;

/// <summary>
/// The Outlook add-in manifest (XML, MailApp, schema 1.1 with VersionOverrides 1.1), written for one host: every URL
/// in it comes from <c>host</c>, so development and deployment differ by one argument.
/// </summary>
public static class Manifest
{
    /// <summary>The add-in's own id; it never changes between hosts or versions.</summary>
    public const string AddinId = "5b7c1f0e-3a8d-4c63-9f2e-0d1a7e6b4c21";

    /// <summary>What a development manifest carries until the app is registered in Entra ID.</summary>
    public const string UnregisteredClientId = "00000000-0000-0000-0000-000000000000";

    public const string DevelopmentHost = "https://localhost:5001";

    /// <summary>The manifest for the pane at <paramref name="host"/>, signing in with the app registration <paramref name="clientId"/>.</summary>
    public static string Render(Uri host, string clientId, string? resource = null)
    {
        var origin = host.GetLeftPart(UriPartial.Authority);
        string Url(string path) => SecurityElement.Escape(origin + PaneExtensions.RequestPath + path)!;
        var app = SecurityElement.Escape(resource ?? $"api://{host.Authority}/{clientId}");
        var id = SecurityElement.Escape(clientId);
        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- Written for {SecurityElement.Escape(origin)} by the service's manifest command (README: The add-in); edit api/Pane/Manifest.cs, not this file. -->
            <OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
                       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                       xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0"
                       xsi:type="MailApp">
              <Id>{AddinId}</Id>
              <Version>1.0.0.0</Version>
              <ProviderName>OutlookFollowUp</ProviderName>
              <DefaultLocale>en-US</DefaultLocale>
              <DisplayName DefaultValue="OutlookFollowUp"/>
              <Description DefaultValue="After an interview: thank-you notes drafted for each interviewer, follow-ups on the right days, and reminders you choose. Nothing is sent for you."/>
              <IconUrl DefaultValue="{Url("/assets/icon-64.png")}"/>
              <HighResolutionIconUrl DefaultValue="{Url("/assets/icon-128.png")}"/>
              <SupportUrl DefaultValue="{SecurityElement.Escape(origin)}/"/>
              <AppDomains>
                <AppDomain>{SecurityElement.Escape(origin)}</AppDomain>
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
                    <SourceLocation DefaultValue="{Url("/taskpane.html")}"/>
                    <RequestedHeight>300</RequestedHeight>
                  </DesktopSettings>
                </Form>
              </FormSettings>
              <Permissions>ReadItem</Permissions>
              <Rule xsi:type="RuleCollection" Mode="Or">
                <Rule xsi:type="ItemIs" ItemType="Message" FormType="Read"/>
                <Rule xsi:type="ItemIs" ItemType="Appointment" FormType="Read"/>
              </Rule>
              <DisableEntityHighlighting>false</DisableEntityHighlighting>
              <VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides" xsi:type="VersionOverridesV1_0">
                <VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides/1.1" xsi:type="VersionOverridesV1_1">
                  <Requirements>
                    <bt:Sets DefaultMinVersion="1.3">
                      <bt:Set Name="Mailbox"/>
                    </bt:Sets>
                  </Requirements>
                  <Hosts>
                    <Host xsi:type="MailHost">
                      <DesktopFormFactor>
                        <ExtensionPoint xsi:type="MessageReadCommandSurface">
            {Group("Read", pinnable: true)}
                        </ExtensionPoint>
                        <ExtensionPoint xsi:type="AppointmentAttendeeCommandSurface">
            {Group("Attendee", pinnable: true)}
                        </ExtensionPoint>
                        <ExtensionPoint xsi:type="AppointmentOrganizerCommandSurface">
            {Group("Organizer", pinnable: false)}
                        </ExtensionPoint>
                      </DesktopFormFactor>
                    </Host>
                  </Hosts>
                  <Resources>
                    <bt:Images>
                      <bt:Image id="Icon.16" DefaultValue="{Url("/assets/icon-16.png")}"/>
                      <bt:Image id="Icon.32" DefaultValue="{Url("/assets/icon-32.png")}"/>
                      <bt:Image id="Icon.80" DefaultValue="{Url("/assets/icon-80.png")}"/>
                    </bt:Images>
                    <bt:Urls>
                      <bt:Url id="Pane.Url" DefaultValue="{Url("/taskpane.html")}"/>
                    </bt:Urls>
                    <bt:ShortStrings>
                      <bt:String id="Group.Label" DefaultValue="OutlookFollowUp"/>
                      <bt:String id="Button.Label" DefaultValue="Follow up"/>
                    </bt:ShortStrings>
                    <bt:LongStrings>
                      <bt:String id="Button.Tooltip" DefaultValue="See the thank-you notes, follow-ups and reminders for this interview."/>
                    </bt:LongStrings>
                  </Resources>
                  <WebApplicationInfo>
                    <Id>{id}</Id>
                    <Resource>{app}</Resource>
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

    // The same button on each surface; the organizer's form is a compose form, where a pane cannot be pinned.
    private static string Group(string surface, bool pinnable) => $"""
                          <OfficeTab id="TabDefault">
                            <Group id="Group.{surface}">
                              <Label resid="Group.Label"/>
                              <Control xsi:type="Button" id="Button.{surface}">
                                <Label resid="Button.Label"/>
                                <Supertip>
                                  <Title resid="Button.Label"/>
                                  <Description resid="Button.Tooltip"/>
                                </Supertip>
                                <Icon>
                                  <bt:Image size="16" resid="Icon.16"/>
                                  <bt:Image size="32" resid="Icon.32"/>
                                  <bt:Image size="80" resid="Icon.80"/>
                                </Icon>
                                <Action xsi:type="ShowTaskpane">
                                  <SourceLocation resid="Pane.Url"/>{(pinnable ? "\n                      <SupportsPinning>true</SupportsPinning>" : "")}
                                </Action>
                              </Control>
                            </Group>
                          </OfficeTab>
            """;
}
