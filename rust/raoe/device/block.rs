// SPDX-License-Identifier: GPL-2.0

//! The block layer's calls into the device: new requests, open, `HDIO_GET_IDENTITY` and the
//! geometry.

use super::{
    requests::Work,
    state::AoeDevice,
    transmit::Round, //
};
use crate::{
    logic::identify::IDENTIFY_LEN,
    logic::split::{
        self,
        Frames, //
    },
    logic::wire::AtaCommand,
    sys::blk::{
        DiskOps,
        Op,
        Request, //
    },
};
use kernel::{
    block::SECTOR_SIZE,
    prelude::*,
    sync::{
        Arc,
        ArcBorrow, //
    },
};

impl DiskOps for AoeDevice {
    fn queue_rq(this: ArcBorrow<'_, Self>, request: Request) {
        let command = match request.op() {
            Op::Read => AtaCommand::Read,
            Op::Write => AtaCommand::Write,
            Op::Flush => AtaCommand::Flush,
            Op::Other => return request.end(Err(EOPNOTSUPP)),
        };
        let first_sector = request.sector();
        let sectors = request.bytes() / SECTOR_SIZE;
        let this: Arc<Self> = this.into();
        let mut round = Round::new();
        {
            let mut guard = this.inflight.lock();
            let inflight = &mut *guard;
            if !inflight.up {
                drop(guard);
                return request.end(Err(EIO));
            }
            let unsent = if command == AtaCommand::Flush {
                Ok(Frames::single())
            } else {
                split::split(first_sector, sectors, this.payload, inflight.identity.lba48)
            };
            let Ok(unsent) = unsent else {
                drop(guard);
                return request.end(Err(EIO));
            };
            if unsent.len() == 0 {
                drop(guard);
                return request.end(Ok(()));
            }
            let work = Work {
                request,
                command,
                first_sector,
            };
            let index = match inflight.requests.admit(work, unsent) {
                Ok(index) => index,
                Err(work) => {
                    drop(guard);
                    return work.request.end(Err(EBUSY));
                }
            };
            if inflight.backlog.push(index, GFP_ATOMIC).is_err() {
                // Its frames cannot be queued: it fails, unsent, at once.
                inflight.requests.fail(index);
            }
            inflight
                .requests
                .end_if_done(index, this.now_us(), &mut round.ended);
            this.fill_window(inflight, &mut round);
        }
        this.finish(round);
    }

    fn open(&self) -> Result {
        if self.up() {
            Ok(())
        } else {
            Err(ENODEV)
        }
    }

    fn identity(&self) -> Result<[u8; IDENTIFY_LEN]> {
        let inflight = self.inflight.lock();
        if !inflight.up {
            return Err(ENODEV);
        }
        Ok(*inflight.identity.hdio_identity())
    }

    fn geometry(&self) -> Result<(u16, u8, u8)> {
        let inflight = self.inflight.lock();
        if !inflight.up {
            return Err(ENODEV);
        }
        let geometry = inflight.identity.geometry;
        Ok((geometry.cylinders, geometry.heads, geometry.sectors))
    }
}
