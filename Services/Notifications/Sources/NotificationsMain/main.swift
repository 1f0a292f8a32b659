import Notifications
import ServiceKit

await ServiceHost.main(NotificationsService.definition())
