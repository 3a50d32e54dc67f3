import { describe, expect, it } from 'vitest';
import { type ApprovalRequest, decideApprovalRequest } from '../../../src/domain/approval-decision.js';
import { approvalRequestKey, formatApprovalRef, parseApprovalRef } from '../../../src/domain/approval-ref.js';

const TASK = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';

function request(
  overrides: Partial<ApprovalRequest> = {},
  task: Partial<NonNullable<ApprovalRequest['task']>> = {},
) {
  return {
    task: {
      approvalState: 'pending' as const,
      approvalVersion: 3,
      createdBy: 'UAUTHOR',
      approvalRequestedBy: 'UEDITOR',
      approvalDecidedBy: null,
      version: 4,
      ...task,
    },
    cardVersion: 3,
    approverId: 'UOTHER',
    approverIsAdmin: true,
    decision: 'approved' as const,
    ...overrides,
  };
}

describe('decideApprovalRequest', () => {
  it('lets another admin decide on the version the card showed, even after a pause bumped the version', () => {
    expect(decideApprovalRequest(request())).toEqual({ ok: true });
    expect(decideApprovalRequest(request({ decision: 'rejected', reason: 'no' }))).toEqual({ ok: true });
  });

  it('refuses, in order: role, deleted task, older card, decided version, own change, missing reason', () => {
    const refusal = (r: ApprovalRequest) => {
      const verdict = decideApprovalRequest(r);
      return verdict.ok ? undefined : verdict.refusal.kind;
    };
    expect(refusal(request({ approverIsAdmin: false }))).toBe('not_admin');
    expect(refusal({ ...request(), task: undefined })).toBe('task_deleted');
    expect(refusal(request({ cardVersion: 2 }))).toBe('superseded');
    expect(refusal(request({}, { approvalState: 'approved', approvalDecidedBy: 'UX' }))).toBe(
      'already_approved',
    );
    expect(refusal(request({}, { approvalState: 'rejected' }))).toBe('already_rejected');
    expect(refusal(request({ approverId: 'UAUTHOR' }))).toBe('own_change');
    expect(refusal(request({ approverId: 'UEDITOR' }))).toBe('own_change');
    expect(refusal(request({ decision: 'rejected', reason: '  ' }))).toBe('reason_required');
  });

  it('lets the author withdraw (reject) their own code, never approve it', () => {
    expect(
      decideApprovalRequest(request({ approverId: 'UAUTHOR', decision: 'rejected', reason: 'oops' })),
    ).toEqual({
      ok: true,
    });
  });

  it('says whether a newer version awaits approval when the card is superseded', () => {
    expect(decideApprovalRequest(request({ cardVersion: 1 }))).toEqual({
      ok: false,
      refusal: { kind: 'superseded', currentVersion: 4, newerAwaitsApproval: true },
    });
    expect(
      decideApprovalRequest(
        request({ cardVersion: 1 }, { approvalState: 'approved', approvalVersion: null }),
      ),
    ).toMatchObject({
      refusal: { newerAwaitsApproval: false },
    });
  });
});

describe('approval refs', () => {
  it('round-trips task id and version, and reads old task-id-only values as versionless', () => {
    const value = formatApprovalRef({ taskId: TASK, version: 12 });
    expect(parseApprovalRef(value)).toEqual({ taskId: TASK, version: 12 });
    expect(parseApprovalRef(TASK)).toEqual({ taskId: TASK });
    expect(approvalRequestKey({ taskId: TASK, version: 12 })).toBe(`approval_requested:${TASK}:12`);
  });

  it('refuses anything else', () => {
    for (const bad of [
      '',
      'x',
      `${TASK}:0`,
      `${TASK}:-1`,
      `${TASK}:1:2`,
      `${TASK}:99999999999`,
      `${TASK}:1.5`,
    ]) {
      expect(parseApprovalRef(bad)).toBeUndefined();
    }
  });
});
