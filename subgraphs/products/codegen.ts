import { subgraphCodegen } from '../codegen-preset';

export default subgraphCodegen({
  contextType: '../context#ProductsContext',
  mappers: {
    Device: '../devices/device-repository#DeviceRecord',
    ProductModel: '../devices/device-repository#ProductModelRecord',
    Order: '../devices/device-repository#OrderRecord',
    Journey: '../devices/device-repository#JourneyRecord',
    DeliveryPerformance: '../devices/device-repository#DeliveryPerformanceRecord',
    RecordEventsResult: '@experience-graph/intake#RecordedBatch',
    ExperienceAction: '../experience/experience-rules#MenuAction',
    DeviceHealth: '../health/health-repository#DeviceHealthRecord',
    ExperienceOffer: '../experience/experience-rules#RankedOffer',
    ExperiencePerception: '../perception/perception-repository#PerceptionRecord',
    Intervention: '../health/health-repository#InterventionRecord',
  },
});
