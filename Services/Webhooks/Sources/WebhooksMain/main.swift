import Webhooks
import ServiceKit

await ServiceHost.main(WebhooksService.definition())
