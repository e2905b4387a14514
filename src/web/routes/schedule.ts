export function registerScheduleRoutes(_app: import('fastify').FastifyInstance): void {}
