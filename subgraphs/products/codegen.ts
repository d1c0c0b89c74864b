import { subgraphCodegen } from '../codegen-preset';

export default subgraphCodegen({
  contextType: '../context#ProductsContext',
  mappers: {
    Customer: '../devices/device-repository#CustomerReference',
    Device: '../devices/device-repository#DeviceRecord',
    ProductModel: '../devices/device-repository#ProductModelRecord',
    Order: '../devices/device-repository#OrderRecord',
    Journey: '../devices/device-repository#JourneyRecord',
    DeliveryPerformance: '../devices/device-repository#DeliveryPerformanceRecord',
    RecordEventsResult: '@experience-graph/intake#RecordedBatch',
    ExperienceAction: '../experience/experience-rules#MenuAction',
    ExperienceOffer: '../experience/experience-rules#RankedOffer',
    DeviceHealth: '../health/health-repository#DeviceHealthRecord',
    ExperiencePerception: '../perception/perception-repository#PerceptionRecord',
    Intervention: '../health/health-repository#InterventionRecord',
  },
});
