// Log Analytics + workspace-based Application Insights. Local (instrumentation key) auth is off on
// the component: ingestion needs an Entra token from an identity holding Monitoring Metrics
// Publisher, so the instrumentation key inside the connection string lets nobody write telemetry.

@description('Log Analytics workspace name.')
param workspaceName string

@description('Application Insights component name.')
param applicationInsightsName string

@description('Azure region.')
param location string

@description('Tags applied to both resources.')
param tags object

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param retentionInDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

// The operations view, deployed with the app: what the AzNf meter exports (OpenTelemetry's Azure
// Monitor exporter writes each instrument to customMetrics, its tags to customDimensions).
// These queries are compiled here, never run against data: kept few and plain.
var workbookQueries = [
  {
    title: 'Packets out of the chain per minute, by outcome'
    query: 'customMetrics | where name == "aznf.packets" | summarize packets = sum(valueSum) by outcome = tostring(customDimensions["aznf.outcome"]), bin(timestamp, 1m)'
    visualization: 'timechart'
  }
  {
    title: 'Drops by reason'
    query: 'customMetrics | where name == "aznf.drops" | summarize drops = sum(valueSum) by reason = tostring(customDimensions["aznf.reason"]) | top 20 by drops'
    visualization: 'barchart'
  }
  {
    title: 'Alerts by signature'
    query: 'customMetrics | where name == "aznf.alerts" | summarize alerts = sum(valueSum) by sid = tostring(customDimensions["aznf.sid"]) | top 20 by alerts'
    visualization: 'table'
  }
  {
    title: 'QoS deadline misses by stage'
    query: 'customMetrics | where name == "aznf.deadline.misses" | summarize misses = sum(valueSum) by stage = tostring(customDimensions["aznf.stage"]), bin(timestamp, 5m)'
    visualization: 'timechart'
  }
  {
    title: 'Ingestion lag (events) by partition'
    query: 'customMetrics | where name == "aznf.ingestion.lag" | summarize lag = max(valueMax) by partition = tostring(customDimensions["aznf.partition"]), bin(timestamp, 1m)'
    visualization: 'timechart'
  }
  {
    title: 'Batch latency (ms): mean and max'
    query: 'customMetrics | where name == "aznf.batch.duration" | summarize mean = sum(valueSum) / sum(valueCount), max = max(valueMax) by bin(timestamp, 1m)'
    visualization: 'timechart'
  }
]

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(applicationInsights.id, 'aznf-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'AzNf chain'
    category: 'workbook'
    sourceId: applicationInsights.id
    serializedData: string({
      version: 'Notebook/1.0'
      items: concat([
        {
          type: 1
          content: {
            json: '## AzNf chain\nThroughput, drops, alerts, deadline misses, ingestion lag and batch latency from the AzNf meter.'
          }
        }
      ], map(workbookQueries, q => {
        type: 3
        content: {
          version: 'KqlItem/1.0'
          query: q.query
          title: q.title
          size: 0
          queryType: 0
          resourceType: 'microsoft.insights/components'
          visualization: q.visualization
        }
      }))
      fallbackResourceIds: [
        applicationInsights.id
      ]
    })
  }
}

output applicationInsightsName string = applicationInsights.name
output workspaceName string = workspace.name
