export * from '@crystallize/core';
export * from '@crystallize/orchestrator';
